"""Panel placement on the 24-column dashboard grid."""

from __future__ import annotations

from appbuilder.model import GRID_COLUMNS, Layout, Panel


def flow_layout(panels: list[Panel]) -> list[Layout]:
    """Place panels: explicit positions are kept, the others flow left to right and wrap into new rows."""
    layouts: list[Layout] = []
    x, y, row_bottom = 0, 0, 0
    for panel in panels:
        width = min(max(panel.width, 1), GRID_COLUMNS)
        if panel.explicit_position is not None:
            px, py = panel.explicit_position
        else:
            if x + width > GRID_COLUMNS:
                x, y = 0, row_bottom
            px, py = x, y
        layouts.append(Layout(px, py, panel.width, panel.height))
        if py >= row_bottom:
            row_bottom = py + panel.height
            y = py
        else:
            row_bottom = max(row_bottom, py + panel.height)
        x = px + width
    return layouts


def overlaps(a: Layout, b: Layout) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height
