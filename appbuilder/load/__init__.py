"""Load YAML app definitions into the typed model, keeping positions."""

from appbuilder.load.app import LoadedApp, LoadedDocument, load_app, load_definition
from appbuilder.load.yamlfile import YamlDocument, read_yaml

__all__ = ["LoadedApp", "LoadedDocument", "YamlDocument", "load_app", "load_definition", "read_yaml"]
