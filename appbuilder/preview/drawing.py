"""Hand-drawn SVG for what is not a Vega-Lite chart: single values, honeycombs, and (in PNGs) tables, Markdown
text and messages. Every drawing has a viewBox, so the page can scale it to the panel."""

from __future__ import annotations

import math
from html import escape

from markdown_it import MarkdownIt

FONT = "Helvetica, Arial, sans-serif"
TEXT = "#2d3748"
MUTED = "#718096"
ERROR = "#c53030"
CHAR = 0.56  # average glyph width per unit of font size, to fit and wrap text


def _svg(width: int, height: int, body: str, background: str = "white") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" preserveAspectRatio="xMidYMid meet" font-family="{FONT}">'
            f'<rect width="{width}" height="{height}" fill="{background}"/>{body}</svg>')


_EM = {**dict.fromkeys("ijlI.,:;'|!", 0.25), **dict.fromkeys("frt-()[]/ ", 0.33),
       **dict.fromkeys("mwMW@%", 0.86)}


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font ``size`` in a Helvetica-like font (capitals wider than lowercase)."""
    return size * sum(_EM.get(c, 0.68 if c.isupper() else 0.56) for c in text)


def fit(text: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` at font ``size``."""
    if text_width(text, size) <= width:
        return text
    room = width - text_width("…", size)
    used, end = 0.0, 0
    while end < len(text) and used + text_width(text[end], size) <= room:
        used += text_width(text[end], size)
        end += 1
    return text[:end] + "…"


def wrap(text: str, size: float, width: float) -> list[str]:
    room = max(int(width / (size * CHAR)), 4)
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > room:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def value_svg(text: str, label: str, color: str, background: str, width: int, height: int) -> str:
    """A single value, Sumo style: a big number, its label underneath, threshold colours."""
    size = min(height * 0.42, width / max(len(text), 1) / CHAR * 0.8, 72)
    label_size = min(max(size * 0.35, 11), 18)
    cy = height / 2 + size * 0.3 - (label_size * 0.7 if label else 0)
    body = (f'<text x="{width / 2:.1f}" y="{cy:.1f}" text-anchor="middle" font-size="{size:.1f}" '
            f'font-weight="bold" fill="{color}">{escape(text)}</text>')
    if label:
        body += (f'<text x="{width / 2:.1f}" y="{cy + label_size * 1.8:.1f}" text-anchor="middle" '
                 f'font-size="{label_size:.1f}" fill="{color if background != "white" else MUTED}">'
                 f'{escape(fit(label, label_size, width - 8))}</text>')
    return _svg(width, height, body, background)


def _hex_grid(n: int, width: float, height: float) -> tuple[int, float]:
    """Columns and hexagon radius that fit ``n`` pointy-top hexagons in the box, largest first."""
    best = (1, 0.0)
    root3 = math.sqrt(3)
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        span = cols + (0.5 if rows > 1 else 0)
        radius = min(width / (span * root3), height / ((rows - 1) * 1.5 + 2))
        if radius > best[1]:
            best = (cols, radius)
    return best


def honeycomb_svg(cells: list[tuple[str, str, str]], width: int, height: int) -> str:
    """One hexagon per result row: ``(label, value, colour)``, laid out row by row."""
    cols, radius = _hex_grid(len(cells), width - 8, height - 8)
    root3 = math.sqrt(3)
    rows = math.ceil(len(cells) / cols)
    used_w = (cols + (0.5 if rows > 1 else 0)) * root3 * radius
    used_h = ((rows - 1) * 1.5 + 2) * radius
    ox, oy = (width - used_w) / 2, (height - used_h) / 2
    body = []
    for i, (label, value, color) in enumerate(cells):
        row, col = divmod(i, cols)
        cx = ox + root3 * radius * (col + 0.5 + (0.5 if row % 2 else 0))
        cy = oy + radius * (1 + 1.5 * row)
        r = radius * 0.96
        points = " ".join(f"{cx + r * math.cos(math.radians(a)):.1f},{cy + r * math.sin(math.radians(a)):.1f}"
                          for a in range(30, 360, 60))
        size = max(min(radius * 0.32, 14), 6)
        body.append(f'<polygon points="{points}" fill="{color}" stroke="white" stroke-width="1">'
                    f'<title>{escape(label)}: {escape(value)}</title></polygon>')
        body.append(f'<text x="{cx:.1f}" y="{cy - size * 0.2:.1f}" text-anchor="middle" font-size="{size:.1f}" '
                    f'fill="{TEXT}">{escape(fit(label, size, root3 * r * 0.9))}</text>')
        body.append(f'<text x="{cx:.1f}" y="{cy + size * 1.1:.1f}" text-anchor="middle" font-size="{size:.1f}" '
                    f'font-weight="bold" fill="{TEXT}">{escape(value)}</text>')
    return _svg(width, height, "".join(body))


def message_svg(message: str, width: int, height: int, *, error: bool) -> str:
    """What a panel shows instead of a chart: no data, or the error of its query."""
    size = 12
    lines = wrap(message, size, width - 24)[: max(int((height - 20) / (size * 1.4)), 1)]
    top = height / 2 - (len(lines) - 1) * size * 0.7
    color = ERROR if error else MUTED
    body = "".join(f'<text x="{width / 2:.1f}" y="{top + i * size * 1.4:.1f}" text-anchor="middle" '
                   f'font-size="{size}" fill="{color}">{escape(line)}</text>' for i, line in enumerate(lines))
    return _svg(width, height, body)


def table_svg(columns: list[str], rows: list[list[str]], width: int, height: int) -> str:
    """A result table as an image: header, then as many rows as fit (the page shows them all)."""
    line = 22
    fits = max(int((height - line) / line), 0)
    widths = [max(len(c), *(len(r[i]) for r in rows[:fits]), 3) for i, c in enumerate(columns)]
    total = sum(min(w, 40) for w in widths) or 1
    xs, x = [], 6.0
    for w in widths:
        xs.append(x)
        x += (width - 12) * min(w, 40) / total
    xs.append(width - 6.0)
    body = [f'<rect width="{width}" height="{line}" fill="#f1f4f8"/>']
    for i, column in enumerate(columns):
        body.append(f'<text x="{xs[i] + 2:.1f}" y="15" font-size="11" font-weight="bold" fill="{TEXT}">'
                    f'{escape(fit(column, 11, xs[i + 1] - xs[i] - 4))}</text>')
    for r, row in enumerate(rows[:fits]):
        y = line * (r + 1)
        if r % 2:
            body.append(f'<rect y="{y}" width="{width}" height="{line}" fill="#f8fafc"/>')
        for i, cell in enumerate(row):
            body.append(f'<text x="{xs[i] + 2:.1f}" y="{y + 15}" font-size="11" fill="{TEXT}">'
                        f'{escape(fit(cell, 11, xs[i + 1] - xs[i] - 4))}</text>')
    return _svg(width, height, "".join(body))


MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown_html(text: str) -> str:
    """Markdown as HTML (raw HTML in the source is escaped, not passed through)."""
    return MARKDOWN.render(text)


def text_svg(text: str, width: int, height: int, color: str = TEXT, background: str = "white") -> str:
    """A Markdown text panel as an image: headings larger and bold, paragraphs and list items wrapped."""
    body, y = [], 8.0
    heading = 0
    prefix = ""
    for token in MARKDOWN.parse(text):
        if token.type == "heading_open":
            heading = int(token.tag[1:])
        elif token.type == "heading_close":
            heading = 0
        elif token.type == "list_item_open":
            prefix = "• "
        elif token.type == "inline":
            size = {1: 22, 2: 18, 3: 15}.get(heading, 14 if heading else 12)
            plain = "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline")) \
                or token.content
            for line in wrap(prefix + plain, size, width - 16):
                y += size * 1.35
                if y > height - 4:
                    break
                weight = ' font-weight="bold"' if heading else ""
                body.append(f'<text x="8" y="{y:.1f}" font-size="{size}"{weight} fill="{color}">'
                            f'{escape(line)}</text>')
            prefix = ""
            y += 4
    return _svg(width, height, "".join(body), background)
