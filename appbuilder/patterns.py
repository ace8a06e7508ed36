"""Regular expressions written by users (parameter patterns), run on RE2: matching takes linear time whatever the
pattern, so no pattern can hang a command. RE2 has no backreferences or lookaround, the features that make
backtracking engines exponential; a pattern using them is refused with a message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2

MAX_PATTERN_LENGTH = 1000
SYNTAX_HINT = ("parameter patterns use RE2 syntax (no backreferences or lookaround), which always matches in linear "
               "time: https://github.com/google/re2/wiki/Syntax")


@dataclass(frozen=True)
class UserPattern:
    """A compiled user pattern, or why it was refused."""

    text: str
    compiled: Any = None
    error: str | None = None

    def fullmatch(self, value: str) -> bool:
        """Whether ``value`` matches in full (False for a refused pattern)."""
        return self.compiled is not None and self.compiled.fullmatch(value) is not None


def _explain(message: str) -> str:
    if "invalid escape sequence: \\" in message and message.rstrip()[-1:].isdigit():
        return "backreferences (\\1, \\2 …) are not supported: they can take exponential time"
    if "invalid perl operator: (?=" in message or "invalid perl operator: (?!" in message \
            or "invalid perl operator: (?<" in message:
        return "lookahead and lookbehind are not supported: they can take exponential time"
    if "pattern too large" in message:
        return "the pattern is too large"
    if "invalid repetition size" in message:
        return f"{message} (at most 1000 repetitions; values are limited in length anyway, so use * or +)"
    return message


@lru_cache(maxsize=256)
def compile_pattern(text: str) -> UserPattern:
    """Compile a user pattern with RE2; ``error`` says what is wrong when it cannot be used."""
    if len(text) > MAX_PATTERN_LENGTH:
        return UserPattern(text, error=f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20
    try:
        return UserPattern(text, re2.compile(text, options))
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        message = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        return UserPattern(text, error=_explain(message))


def compile_regex(pattern: str) -> Any:
    """A regular expression of a query (``parse regex``, ``matches /…/``) for local evaluation: compiled with RE2
    so that sample data cannot make it backtrack for ever; a pattern RE2 cannot run (lookaround,
    backreferences, which Sumo's Java engine has) falls back to Python's ``re``. Raises ``re.error`` when invalid.
    The result has the ``re.Pattern`` methods the evaluator uses (search, finditer, sub, groups)."""
    compiled = compile_pattern(pattern).compiled if len(pattern) <= MAX_PATTERN_LENGTH else None
    return compiled if compiled is not None else re.compile(pattern)
