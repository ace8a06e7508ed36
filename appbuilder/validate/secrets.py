"""No secret in an app definition: credential-named keys in source.yaml and token-looking values in any file.

A value that looks like a token is never repeated in a message: problems name the key and the position only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from appbuilder.diagnostics import Diagnostic, field_path
from appbuilder.load.yamlfile import YamlDocument
from appbuilder.tokens import MASK, find_tokens, mask_tokens

__all__ = ["MASK", "check_document_secrets", "find_tokens", "hide_secrets", "is_credential_key", "is_id_key",
           "mask_tokens"]

# key names (lower case, without _ - .) that hold a credential; ``tokenEnv`` / ``tokenFile`` only name one
_CREDENTIAL_SUFFIXES = ("token", "secret", "password", "passwd", "apikey", "accesskey", "secretkey",
                        "privatekey", "credential", "credentials")
_CREDENTIAL_NAMES = frozenset({"authorization", "bearer"})
# keys holding the id of a Sumo object (a linked dashboard's ``id``, ``dashboardId``, ``contentId``,
# ``connectionId``, ``ids``): Sumo makes those ids long and random (a new dashboard's id is ~60 letters and
# digits, shaped like an access key), and they are not secrets
_ID_KEY = re.compile(r"^(?:id|ids|uuid)$|[a-z0-9](?:Id|Ids|_id|_ids)$")


def is_credential_key(key: str) -> bool:
    """Whether a key name says it holds a credential (``api_token``, ``apiKey``, ``password``, ``accessKey`` …)."""
    norm = re.sub(r"[^a-z0-9]", "", key.lower())
    return norm in _CREDENTIAL_NAMES or norm.endswith(_CREDENTIAL_SUFFIXES)


def is_id_key(key: str) -> bool:
    """Whether a key names the id of a Sumo object (``id``, ``dashboardId``, ``content_id``…): never a secret."""
    return bool(_ID_KEY.search(key))


def _nearest_key(steps: list[str | int]) -> str:
    """The mapping key a value is under (through list indexes: ``ids[3]`` is under ``ids``)."""
    return next((step for step in reversed(steps) if isinstance(step, str)), "")


def _walk(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    stack: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        yield where, item
        if isinstance(item, dict):
            stack.extend(((*where, k), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend(((*where, i), v) for i, v in reversed(list(enumerate(item))))


_TOKEN_ENV_HINT = ("store the token in an environment variable and name that variable in source.yaml, "
                   "e.g. tokenEnv: ONEPASSWORD_EVENTS_TOKEN")


def check_document_secrets(doc: YamlDocument, kind: str) -> list[Diagnostic]:
    """Credential-named keys (source files) and token-looking values (any file), positioned; values never shown."""
    found: list[Diagnostic] = []
    credential_keys: list[tuple[str | int, ...]] = []
    for path, value in _walk(doc.data):
        steps = list(path)
        if any(path[:len(key)] == key for key in credential_keys):
            continue  # inside a credential key already reported: its value is not looked at
        if kind == "source" and steps and isinstance(steps[-1], str) and is_credential_key(steps[-1]):
            credential_keys.append(path)
            found.append(Diagnostic(doc.position(steps, key=True), f"'{steps[-1]}' would put a credential in git",
                                    code="secret-in-definition", path=field_path(steps),
                                    hint=f"secrets never go in YAML: {_TOKEN_ENV_HINT}"))
            continue
        tokens = find_tokens(value) if isinstance(value, str) else []
        if is_id_key(_nearest_key(steps)):  # a Sumo id looks like an access key; a 1Password JWT never is one
            tokens = [t for t in tokens if t.startswith(("eyJ", "ops_eyJ"))]
        if not tokens:
            continue
        if steps and steps[-1] == "tokenEnv":
            message, hint = "tokenEnv holds what looks like a token", \
                f"tokenEnv names an environment variable, not the token itself: {_TOKEN_ENV_HINT}"
        else:
            message, hint = "this value looks like a secret (a 1Password token or a Sumo access key)", \
                f"remove it from the file and rotate it if it was committed; {_TOKEN_ENV_HINT}"
        found.append(Diagnostic(doc.position(steps), message, code="secret-in-definition",
                                path=field_path(steps), hint=hint))
    return found


def hide_secrets(diagnostic: Diagnostic) -> Diagnostic:
    """The diagnostic with any token-looking text in its message or hint masked."""
    message, hint = mask_tokens(diagnostic.message), mask_tokens(diagnostic.hint)
    if (message, hint) == (diagnostic.message, diagnostic.hint):
        return diagnostic
    return dataclasses.replace(diagnostic, message=message, hint=hint)
