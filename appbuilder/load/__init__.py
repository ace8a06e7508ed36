"""Load YAML app definitions into the typed model, keeping positions."""

from appbuilder.load.app import load_app
from appbuilder.load.yamlfile import YamlDocument, read_yaml

__all__ = ["YamlDocument", "load_app", "read_yaml"]
