"""Tokeniser for Sumo Logic metrics queries (see ``appbuilder.query.metrics``)."""

from __future__ import annotations

from appbuilder.query.lexer import EOF, OP, PARAM, STRING, TEMPLATE, WORD, Lines, Token

ROWREF = "rowref"  # #A (value: A)
BAD = "bad"  # a lexical problem (value: the message)
SELECTOR_STOP = set(' \t\r\n|()",=!<>')
_EXPR_OPS = set("+-*/%,()=<>!")
_IDENT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


__all__ = ["BAD", "EOF", "OP", "PARAM", "ROWREF", "SELECTOR_STOP", "STRING", "TEMPLATE", "WORD", "Token",
           "end_token", "segments", "tokenize"]


def end_token(pos: int, lines: Lines) -> Token:
    """The EOF token that closes a token list at offset ``pos``."""
    return Token(EOF, "", "", pos, *lines.locate(pos))


def tokenize(text: str, start: int, end: int, lines: Lines, expr: bool) -> list[Token]:
    """Tokens of ``text[start:end]``, ending with EOF; ``expr`` mode splits arithmetic (``+ - * /``) out of
    words."""
    out: list[Token] = []
    i = start

    def add(kind: str, value: str, pos: int, stop: int) -> None:
        out.append(Token(kind, text[pos:stop], value, pos, *lines.locate(pos)))

    while i < end:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif text.startswith("//", i) and (expr or i == start or text[i - 1] in " \t\r\n"):
            nl = text.find("\n", i, end)
            i = end if nl < 0 else nl
        elif ch == '"':
            j = i + 1
            while j < end and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= end:
                add(BAD, "unterminated string: missing closing \"", i, end)
                break
            add(STRING, text[i + 1:j].replace('\\"', '"'), i, j + 1)
            i = j + 1
        elif text.startswith("{{", i) or text.startswith("${", i):
            close = text.find("}", i, end)
            j = end if close < 0 else close + 1
            while j < end and text[j] == "}":
                j += 1
            kind = TEMPLATE if ch == "{" else PARAM
            token_end = _word_end(text, j, end, expr) if j < end and text[j] not in SELECTOR_STOP else j
            add(kind if token_end == j else WORD, text[i:token_end], i, token_end)
            i = token_end
        elif ch == "#" and i + 1 < end and text[i + 1] in _IDENT:
            j = i + 1
            while j < end and text[j] in _IDENT:
                j += 1
            add(ROWREF, text[i + 1:j], i, j)
            i = j
        elif text[i:i + 2] in ("<=", ">=", "!=", "==", "<>"):
            add(OP, text[i:i + 2], i, i + 2)
            i += 2
        elif ch in "()=!<>," or (expr and ch in _EXPR_OPS):
            add(OP, ch, i, i + 1)
            i += 1
        else:
            j = _word_end(text, i, end, expr)
            add(WORD, text[i:j], i, j)
            i = j
    out.append(end_token(end, lines))
    return out


def _word_end(text: str, i: int, end: int, expr: bool) -> int:
    j = i
    while j < end:
        ch = text[j]
        if ch in SELECTOR_STOP or ch == "," or (expr and ch in _EXPR_OPS):
            break
        if ch in "{$" and text.startswith(("{{", "${"), j):
            close = text.find("}", j, end)
            j = end if close < 0 else close + 1
            continue
        j += 1
    return max(j, i + 1)


def segments(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the parts between top-level pipes (outside strings)."""
    bounds: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch == "|":
            bounds.append((start, i))
            start = i + 1
        i += 1
    bounds.append((start, n))
    return bounds
