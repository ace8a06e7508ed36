"""The token cursor the query parsers share (nesting limits, expectations, error positions) and the literal values
it reads (durations, numbers with units)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import appbuilder.query.ast as ast
from appbuilder.query.lexer import (
    EOF,
    FIELD,
    IDENT,
    NUMBER,
    OP,
    PARAM,
    STRING,
    TEMPLATE,
    WORD,
    Token,
)

_TIME_UNITS = {"ns": 1e-6, "us": 1e-3, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
               "w": 604_800_000}
_SIZE_UNITS = {"k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "B": 1e9, "T": 1e12, "P": 1e15, "Ki": 2**10,
               "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}
MAX_NESTING = 64  # parentheses, calls, NOT and unary signs inside one another; real queries nest a few levels
MAX_TREE_DEPTH = 200  # levels of one operator's syntax tree, chains such as a + b + c... included


class ParseError(Exception):
    def __init__(self, token: Token, message: str, hint: str = ""):
        super().__init__(message)
        self.token = token
        self.hint = hint


class Malformed(ParseError):
    """A form no Sumo query may take (not merely one appbuilder does not model): always a syntax error."""


def duration_ms(text: str) -> int | None:
    """``1d`` → 86400000; ``4w2d`` and ``1h30m`` are sums; None when ``text`` is not a duration."""
    total = 0.0
    i, n = 0, len(text)
    if not n:
        return None
    while i < n:
        j = i
        while j < n and (text[j].isdigit() or text[j] == "."):
            j += 1
        k = j
        while k < n and text[k].isalpha():
            k += 1
        unit = text[j:k]
        if j == i or unit not in _TIME_UNITS:
            return None
        total += float(text[i:j]) * _TIME_UNITS[unit]
        i = k
    return int(total)


def number_value(text: str) -> tuple[object, bool]:
    """Value of a NUMBER token and whether it was a duration."""
    try:
        return (float(text) if any(c in text for c in ".eE") else int(text)), False
    except ValueError:
        pass
    dur = duration_ms(text)
    if dur is not None:
        return dur, True
    digits = text.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    unit = text[len(digits):]
    if digits and unit in _SIZE_UNITS:
        try:
            return float(digits) * _SIZE_UNITS[unit], False
        except ValueError:
            pass
    raise ValueError(text)


class Stream:
    """A cursor over one operator segment's tokens (the last one is EOF)."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def enter(self, t: Token) -> None:
        """One level deeper (a parenthesis, a call, NOT, a sign) starting at ``t``; the caller leaves it with
        ``self.depth -= 1`` in a ``finally``. Past ``MAX_NESTING`` levels it is a syntax error at ``t``, so no
        query can exhaust the recursive parser's stack."""
        if self.depth >= MAX_NESTING:
            raise Malformed(t, f"the query nests more than {MAX_NESTING} levels deep here (parentheses, function "
                            "calls, NOT or signs inside one another)",
                            "a real query nests a few levels; simplify the expression or split it into steps "
                            "(| ... as x | ... as y)")
        self.depth += 1

    @contextmanager
    def nested(self, t: Token) -> Iterator[None]:
        """``enter`` as a context manager (for the paths that are not hot)."""
        self.enter(t)
        try:
            yield
        finally:
            self.depth -= 1

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def next(self) -> Token:
        t = self.tokens[self.i]
        if t.kind != EOF:
            self.i += 1
        return t

    def at_end(self) -> bool:
        return self.tok.kind == EOF

    def is_word(self, *words: str, k: int = 0) -> bool:
        t = self.peek(k) if k else self.tok
        return t.kind == IDENT and t.value.lower() in words

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == OP and self.tok.value in ops

    def accept_word(self, *words: str) -> Token | None:
        return self.next() if self.is_word(*words) else None

    def accept_op(self, *ops: str) -> Token | None:
        return self.next() if self.is_op(*ops) else None

    def expect_op(self, op: str) -> Token:
        if not self.is_op(op):
            raise ParseError(self.tok, f"expected '{op}' but found {describe(self.tok)}")
        return self.next()

    def expect_word(self, word: str) -> Token:
        if not self.is_word(word):
            raise ParseError(self.tok, f"expected '{word}' but found {describe(self.tok)}")
        return self.next()

    def field_name(self, what: str = "a field name") -> str:
        """An identifier, %"quoted" name or {{template}}."""
        t = self.tok
        if t.kind in (IDENT, FIELD, WORD):
            self.next()
            return t.value
        if t.kind in (TEMPLATE, PARAM):
            self.next()
            return t.text
        raise ParseError(t, f"expected {what} but found {describe(t)}")

    def field_list(self, stop_words: tuple[str, ...] = ()) -> list[str]:
        names = [self.field_name()]
        while self.is_op(",") and not self.is_word(*stop_words, k=1):
            self.next()
            names.append(self.field_name())
        return names

    def string(self, what: str = "a quoted string") -> str:
        t = self.tok
        if t.kind != STRING:
            raise ParseError(t, f"expected {what} but found {describe(t)}")
        self.next()
        return t.value

    def integer(self, what: str = "a number") -> int | str:
        t = self.tok
        if t.kind == TEMPLATE:
            self.next()
            return t.text
        if t.kind == NUMBER and t.value.isdigit():
            self.next()
            return int(t.value)
        raise ParseError(t, f"expected {what} but found {describe(t)}")

    def span(self) -> str:
        """A time span such as ``1d`` / ``15m`` or a ``{{var}}``."""
        t = self.tok
        if t.kind == TEMPLATE:
            self.next()
            return t.text
        if t.kind == NUMBER and duration_ms(t.value) is not None:
            self.next()
            return t.value
        raise ParseError(t, f"expected a time span such as 1d, 1h or 15m but found {describe(t)}")


def check_tree_depth(node: ast.Node) -> None:
    """Refuse (``Malformed``, at the deepest node) a syntax tree more than ``MAX_TREE_DEPTH`` levels deep, so the
    lint and the evaluator, which walk it recursively, never exhaust the stack. Walks without recursion."""
    stack: list[tuple[object, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, list):
            stack.extend((item, depth) for item in current)
            continue
        if not isinstance(current, ast.Node):
            continue
        if depth > MAX_TREE_DEPTH:
            where = Token(OP, "", "", 0, current.line, current.column)
            raise Malformed(where, f"the expression is more than {MAX_TREE_DEPTH} operations deep here (a long "
                            "chain such as a + b + c + ... or x=1 or x=2 or ..., or expressions inside one another)",
                            "split it into steps (| ... as x | ... as y); for a list of values use in (...)")
        stack.extend((value, depth + 1) for value in vars(current).values() if isinstance(value, ast.Node | list))


def describe(t: Token) -> str:
    if t.kind == EOF:
        return "the end of the operator"
    return f"'{t.text}'" if len(t.text) <= 30 else f"'{t.text[:27]}...'"


def at(node: ast.Node, t: Token) -> ast.Node:
    node.line, node.column = t.line, t.column
    return node
