"""Tokeniser for Sumo Logic log queries.

The language is context sensitive: the part before the first top-level ``|`` (the scope) is a keyword
expression whose words may hold almost any punctuation, while the operator segments after it use ordinary
expression tokens. ``tokenize`` switches mode at the first ``|`` outside a string or subquery.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# token kinds
IDENT = "ident"  # operator names, field names, keywords; also $$app_params
NUMBER = "number"  # 10, 1.5, 1d, 15m, 4w2d
STRING = "string"  # "..." (value: backslash-quote and backslash-backslash decoded)
FIELD = "field"  # %"quoted field" or %dotted.name (value: the name)
REGEX = "regex"  # /.../ (value: the pattern)
TEMPLATE = "template"  # {{var}} (value: var)
PARAM = "param"  # ${param} (value: param)
URL = "url"  # geo://location, sumo://threat/cs, path://"/Library/x", https://host/file.csv
WORD = "word"  # a scope keyword such as *fortigate* or error
SUBQUERY = "subquery"  # [subquery: ...] in the scope (value: the text between the brackets)
OP = "op"  # punctuation and comparison operators
PIPE = "pipe"
EOF = "eof"

_OPERAND_KINDS = {IDENT, NUMBER, STRING, FIELD, TEMPLATE, PARAM, URL}
_REGEX_AFTER_WORDS = {"matches", "and", "or", "not", "in", "contains", "where", "as"}
_TWO_CHAR_OPS = {"==", "!=", "<>", "<=", ">=", "&&"}
_ONE_CHAR_OPS = set("()[],=<>+-*/%!?:.;")
_SCOPE_STOP = set(' \t\r\n()"|=!')
_IDENT_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_CHARS = _IDENT_START | set("0123456789")
_DIGITS = set("0123456789")
# a '/' opens a regex literal inside a [subquery: ...] right after `matches`, `(` or `,`
_REGEX_BEFORE = re.compile(r"(?:\bmatches|[(,])\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Token:
    kind: str
    text: str
    value: str
    pos: int
    line: int
    column: int


@dataclass(slots=True)
class LexIssue:
    message: str
    line: int
    column: int


class Lines:
    """Maps character offsets to 1-based (line, column)."""

    def __init__(self, text: str):
        self.starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(i + 1)

    def locate(self, pos: int) -> tuple[int, int]:
        idx = bisect.bisect_right(self.starts, pos) - 1
        return idx + 1, pos - self.starts[idx] + 1


class _Lexer:
    def __init__(self, text: str):
        self.text = text
        self.n = len(text)
        self.lines = Lines(text)
        self.tokens: list[Token] = []
        self.issues: list[LexIssue] = []
        self.comments: list[Token] = []

    def add(self, kind: str, start: int, end: int, value: str | None = None) -> None:
        line, col = self.lines.locate(start)
        raw = self.text[start:end]
        self.tokens.append(Token(kind, raw, raw if value is None else value, start, line, col))

    def issue(self, pos: int, message: str) -> None:
        line, col = self.lines.locate(pos)
        self.issues.append(LexIssue(message, line, col))

    # -- shared pieces ------------------------------------------------------------------------------------
    def skip_space_and_comments(self, i: int) -> int:
        text, n = self.text, self.n
        while i < n:
            ch = text[i]
            if ch in " \t\r\n":
                i += 1
            elif ch == "/" and text.startswith("//", i):
                end = text.find("\n", i)
                end = n if end < 0 else end
                self.comments.append(Token("comment", text[i:end], text[i + 2:end], i, *self.lines.locate(i)))
                i = end
            elif ch == "/" and text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end < 0:
                    self.issue(i, "unterminated /* comment")
                    return n
                i = end + 2
            else:
                break
        return i

    def read_string(self, i: int) -> tuple[int, str]:
        """``i`` points at the opening quote (double, or single as in ``delim=','``); returns (end offset,
        decoded value)."""
        text, n = self.text, self.n
        quote = text[i]
        j = i + 1
        out: list[str] = []
        while j < n:
            ch = text[j]
            if ch == "\\" and j + 1 < n:
                nxt = text[j + 1]
                out.append(nxt if nxt in '"\\' or nxt == quote else ch + nxt)
                j += 2
                continue
            if ch == quote:
                return j + 1, "".join(out)
            out.append(ch)
            j += 1
        self.issue(i, f"unterminated string: missing closing {quote}")
        return n, "".join(out)

    def read_braced(self, i: int, opener: str, closer: str) -> int:
        end = self.text.find(closer, i + len(opener))
        if end < 0:
            self.issue(i, f"unterminated {opener}...{closer}")
            return self.n
        end += len(closer)
        while end < self.n and self.text[end] == "}" and opener == "{{":
            end += 1  # {{{var}}}
        return end

    # -- scope --------------------------------------------------------------------------------------------
    def scope(self, i: int) -> int:
        text, n = self.text, self.n
        while True:
            i = self.skip_space_and_comments(i)
            if i >= n:
                return i
            ch = text[i]
            if ch == "|":
                self.add(PIPE, i, i + 1)
                return i + 1
            if ch == '"':
                end, value = self.read_string(i)
                self.add(STRING, i, end, value)
                i = end
            elif ch == "[":
                i = self.subquery(i)
            elif ch == "!" and text.startswith("!=", i):
                self.add(OP, i, i + 2)
                i += 2
            elif ch in "()=!":
                self.add(OP, i, i + 1)
                i += 1
            elif text.startswith("{{", i) and self._whole_word_is(i, "{{"):
                end = self.read_braced(i, "{{", "}}")
                self.add(TEMPLATE, i, end, text[i:end].strip("{} "))
                i = end
            elif text.startswith("${", i) and self._whole_word_is(i, "${"):
                end = self.read_braced(i, "${", "}")
                self.add(PARAM, i, end, text[i + 2:end - 1].strip())
                i = end
            else:
                end = self.scope_word_end(i)
                self.add(WORD, i, end)
                i = end

    def _whole_word_is(self, i: int, opener: str) -> bool:
        end = self.read_braced(i, opener, "}}" if opener == "{{" else "}")
        return end >= self.n or self.text[end] in _SCOPE_STOP

    def scope_word_end(self, i: int) -> int:
        text, n = self.text, self.n
        j = i
        while j < n:
            ch = text[j]
            if ch in _SCOPE_STOP:
                break
            if ch == "{" and text.startswith("{{", j) or ch == "$" and text.startswith("${", j):
                close = text.find("}", j)
                if close < 0:
                    break
                j = close + 1
                while j < n and text[j] == "}":
                    j += 1
                continue
            j += 1
        return max(j, i + 1)

    def subquery(self, i: int) -> int:
        text, n = self.text, self.n
        depth = 0
        j = i
        while j < n:
            ch = text[j]
            if ch == '"':
                j, _ = self.read_string(j)
                continue
            if ch == "\\":
                j += 2
                continue
            if ch == "/" and _REGEX_BEFORE.search(text, i, j):
                j = self.skip_regex(j)
                continue
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
                if depth == 0:
                    self.add(SUBQUERY, i, j + 1, text[i + 1:j])
                    return j + 1
            j += 1
        self.issue(i, "unterminated [subquery: missing ]")
        self.add(SUBQUERY, i, n, text[i + 1:])
        return n

    # -- operator segments --------------------------------------------------------------------------------
    def regex_allowed(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if last.kind == IDENT:
            return last.value.lower() in _REGEX_AFTER_WORDS
        if last.kind in _OPERAND_KINDS or last.kind == REGEX:
            return False
        return not (last.kind == OP and last.value in (")", "]"))

    def operators(self, i: int) -> None:
        text, n = self.text, self.n
        while True:
            i = self.skip_space_and_comments(i)
            if i >= n:
                return
            ch = text[i]
            if ch == "|":
                self.add(PIPE, i, i + 1)
                i += 1
            elif ch in "\"'":
                end, value = self.read_string(i)
                self.add(STRING, i, end, value)
                i = end
            elif ch == "%" and i + 1 < n and text[i + 1] == '"':
                end, value = self.read_string(i + 1)
                self.add(FIELD, i, end, value)
                i = end
            elif ch == "%" and i + 1 < n and text[i + 1] in _IDENT_START:
                j = i + 1
                while j < n and (text[j] in _IDENT_CHARS or text[j] in ".[]*"):
                    j += 1
                self.add(FIELD, i, j, text[i + 1:j])
                i = j
            elif ch == "{" and text.startswith("{{", i):
                end = self.read_braced(i, "{{", "}}")
                self.add(TEMPLATE, i, end, text[i:end].strip("{} "))
                i = end
            elif ch == "$" and text.startswith("${", i):
                end = self.read_braced(i, "${", "}")
                self.add(PARAM, i, end, text[i + 2:end - 1].strip())
                i = end
            elif ch in _DIGITS:
                i = self.number(i)
            elif ch in _IDENT_START or ch == "$":
                i = self.ident(i)
            elif ch == "/" and self.regex_allowed():
                i = self.regex(i)
            elif ch == "[" and text.startswith("[subquery", i):
                i = self.subquery(i)
            elif text[i:i + 2] in _TWO_CHAR_OPS:
                self.add(OP, i, i + 2)
                i += 2
            elif ch in _ONE_CHAR_OPS:
                self.add(OP, i, i + 1)
                i += 1
            else:
                self.issue(i, f"unexpected character {ch!r}")
                i += 1

    def number(self, i: int) -> int:
        text, n = self.text, self.n
        j = i
        while j < n and (text[j] in _IDENT_CHARS or (text[j] == "." and j + 1 < n and text[j + 1] in _DIGITS)):
            j += 1
        self.add(NUMBER, i, j)
        return j

    def ident(self, i: int) -> int:
        text, n = self.text, self.n
        j = i
        while j < n and text[j] == "$":
            j += 1
        while j < n and (text[j] in _IDENT_CHARS or (text[j] == "." and j + 1 < n and text[j + 1] in _IDENT_START)):
            j += 1
        if j == i:
            self.issue(i, "unexpected '$'")
            return i + 1
        if text.startswith("://", j):
            k = j + 3
            if k < n and text[k] == '"':
                k, _ = self.read_string(k)
            else:
                while k < n and text[k] not in " \t\r\n,|)":
                    k += 1
            self.add(URL, i, k)
            return k
        self.add(IDENT, i, j)
        return j

    def skip_regex(self, i: int) -> int:
        """End offset of the ``/.../`` literal starting at ``i`` (the end of its line when unterminated)."""
        text, n = self.text, self.n
        j = i + 1
        while j < n and text[j] not in "/\n":
            j += 2 if text[j] == "\\" else 1
        return min(j + 1, n)

    def regex(self, i: int) -> int:
        text, n = self.text, self.n
        j = i + 1
        in_class = False
        while j < n:
            ch = text[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "\n":
                break
            if ch == "[":
                in_class = True
            elif ch == "]":
                in_class = False
            elif ch == "/" and not in_class:
                self.add(REGEX, i, j + 1, text[i + 1:j])
                return j + 1
            j += 1
        self.issue(i, "unterminated regular expression: missing closing /")
        self.add(REGEX, i, j, text[i + 1:j])
        return j


def tokenize(text: str) -> tuple[list[Token], list[LexIssue], list[Token]]:
    """Tokens (ending with EOF), lexical problems, and ``//`` comments of a query."""
    lx = _Lexer(text)
    i = lx.scope(0)
    if lx.tokens and lx.tokens[-1].kind == PIPE:
        lx.operators(i)
    line, col = lx.lines.locate(len(text))
    lx.tokens.append(Token(EOF, "", "", len(text), line, col))
    return lx.tokens, lx.issues, lx.comments
