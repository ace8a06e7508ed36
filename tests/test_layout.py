"""appbuilder.layout: flow placement on the 24-column grid, explicit positions, overlap test."""

from __future__ import annotations

import pytest

from appbuilder.layout import flow_layout, overlaps
from appbuilder.model import GRID_COLUMNS, Layout, Panel


def panel(width: int = 12, height: int = 8, at: tuple[int, int] | None = None) -> Panel:
    return Panel("p", "P", "table", width=width, height=height, explicit_position=at)


def test_grid_is_24_columns() -> None:
    assert GRID_COLUMNS == 24


def test_empty() -> None:
    assert flow_layout([]) == []


def test_flow_left_to_right_then_wrap() -> None:
    layouts = flow_layout([panel(8, 4), panel(8, 6), panel(8, 5), panel(12, 3), panel(12, 3), panel(24, 2)])
    assert layouts == [Layout(0, 0, 8, 4), Layout(8, 0, 8, 6), Layout(16, 0, 8, 5),
                       Layout(0, 6, 12, 3), Layout(12, 6, 12, 3), Layout(0, 9, 24, 2)]


def test_a_panel_that_does_not_fit_starts_a_row_below_the_tallest() -> None:
    layouts = flow_layout([panel(12, 2), panel(6, 9), panel(12, 4)])
    assert layouts[2] == Layout(0, 9, 12, 4)


def test_full_width_panels_stack() -> None:
    layouts = flow_layout([panel(24, h) for h in (1, 5, 3)])
    assert [(lt.x, lt.y) for lt in layouts] == [(0, 0), (0, 1), (0, 6)]


def test_explicit_positions_are_kept_and_flow_continues_after_them() -> None:
    layouts = flow_layout([panel(12, 4), panel(6, 4, at=(0, 10)), panel(6, 4)])
    assert layouts[1] == Layout(0, 10, 6, 4)
    assert layouts[2] == Layout(6, 10, 6, 4)


def test_explicit_panel_inside_the_current_row() -> None:
    layouts = flow_layout([panel(12, 8), panel(12, 4, at=(12, 2)), panel(12, 3)])
    assert layouts[1] == Layout(12, 2, 12, 4)
    assert layouts[2] == Layout(0, 8, 12, 3)  # no room at x=24: wraps below the row


def test_explicit_layout_may_leave_the_grid_for_validation_to_report() -> None:
    [layout] = flow_layout([panel(12, 2, at=(20, 0))])
    assert layout.x + layout.width == 32


@pytest.mark.parametrize("widths", [[5, 7, 9, 11, 13, 24, 1, 23, 12, 12, 3], [24] * 4, [1] * 30])
def test_flowed_panels_never_overlap_nor_leave_the_grid(widths: list[int]) -> None:
    layouts = flow_layout([panel(w, 1 + (i * 7) % 5) for i, w in enumerate(widths)])
    for index, layout in enumerate(layouts):
        assert 0 <= layout.x and layout.x + layout.width <= GRID_COLUMNS
        for other in layouts[:index]:
            assert not overlaps(layout, other), (layout, other)


@pytest.mark.parametrize(("a", "b", "expected"), [
    (Layout(0, 0, 12, 8), Layout(12, 0, 12, 8), False),  # side by side
    (Layout(0, 0, 12, 8), Layout(0, 8, 12, 8), False),  # one below the other
    (Layout(0, 0, 12, 8), Layout(11, 7, 2, 2), True),  # corner overlap
    (Layout(0, 0, 24, 2), Layout(5, 1, 1, 1), True),  # contained
    (Layout(3, 3, 1, 1), Layout(3, 3, 1, 1), True),  # identical
])
def test_overlaps(a: Layout, b: Layout, expected: bool) -> None:
    assert overlaps(a, b) is expected
    assert overlaps(b, a) is expected
