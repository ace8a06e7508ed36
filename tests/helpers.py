"""Small helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file by ``new``; the test fails if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

FAKE_AUTH = ("suAccessId", "accessKeySecret")  # the access id and key the fake Sumo fixtures accept


def write(directory: Path, text: str | bytes, name: str = "doc.yaml") -> Path:
    """Write ``text`` (UTF-8 when a string, else the bytes as they are) to ``directory/name``; returns the path."""
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
