"""What looks like a secret in a text: 1Password Events API tokens (JWTs) and Sumo access keys, found and masked.

Used wherever text a person typed is repeated (validation and lint messages, --param values), so that a pasted
secret is never echoed.
"""

from __future__ import annotations

import re

MASK = "********"

# 1Password Events API bearer tokens (and service-account tokens, ``ops_…``) are JWTs: base64url of '{"…' first
_JWT = r"(?:ops_)?eyJ[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]{4,}){0,2}"
# Sumo access keys: long random strings of letters and digits (64 characters)
_RANDOM = r"[A-Za-z0-9]{40,}"
TOKEN_RE = re.compile(rf"(?<![A-Za-z0-9_-])(?:{_JWT}|{_RANDOM})(?![A-Za-z0-9])")


def _looks_random(word: str) -> bool:
    return any(c.isupper() for c in word) and any(c.islower() for c in word) and any(c.isdigit() for c in word)


def find_tokens(text: str) -> list[str]:
    """Substrings of ``text`` that look like a 1Password token or a Sumo access key."""
    return [m.group(0) for m in TOKEN_RE.finditer(text) if m.group(0).startswith(("eyJ", "ops_eyJ"))
            or _looks_random(m.group(0))]


def mask_tokens(text: str) -> str:
    """``text`` with every token-looking substring replaced by ``********``."""
    for token in find_tokens(text):
        text = text.replace(token, MASK)
    return text
