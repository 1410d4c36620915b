"""Small server-rendered SVG charts (no JavaScript, no chart library).
Every text that comes from data is escaped by format_html."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 520
ROW = 24
LABEL_CHARS = 26
HBAR_ROW = 46  # a label line, then its bar
HBAR_LABEL = 26
HBAR_LABEL_CHARS = 48


class HBar(Protocol):
    label: str
    value: int
    url: str
    other: bool


class StackedDay(Protocol):
    day: date
    counts: dict[str, int]


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^n at or above value (an axis maximum)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _phone_skips(k: int) -> str:
    """Every other x label is hidden on a phone (CSS), where the text is larger:
    counted from the last, which always stays."""
    return " alt" if k % 2 else ""


def _join(parts) -> SafeString:
    return mark_safe("".join(parts))  # every part is already escaped by format_html


def _link(url: str, name: str, shape: SafeString) -> SafeString:
    """A shape that opens `url`; `name` is what a screen reader says for it."""
    return format_html('<a href="{}" aria-label="{}">{}</a>', url, name, shape)


def _svg(*args) -> SafeString:
    """The chart: `[kind,] width, height, label, body`. An image, or a labelled
    group when it holds links (an image's content is hidden from assistive
    technology, so its links would be unreachable). `kind` is an extra class
    (hbars, heatmap) the phone styles read."""
    kind, (width, height, label, body) = (args[0], args[1:]) if len(args) == 5 else ("", args)
    role = "group" if "<a href=" in body else "img"
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" role="{}" aria-label="{}">{}</svg>',
        f"chart {kind}".strip(),
        width,
        height,
        role,
        label,
        body,
    )


def hbar_chart(bars: Sequence[HBar], *, label: str) -> SafeString:
    """Horizontal bars, one row per value, each linking to its filtered view.
    Each label sits above its bar, over the chart's whole width, so a long
    value stays readable when the chart is scaled down to a phone's width."""
    if not bars:
        return SafeString("")
    top = max(b.value for b in bars) or 1
    left, right = 0, WIDTH - 64
    height = HBAR_ROW * len(bars) + 4
    rows = []
    for i, bar in enumerate(bars):
        y = i * HBAR_ROW + 4
        bar_y = y + HBAR_LABEL
        length = max(2.0, (right - left) * bar.value / top) if bar.value else 0
        rect = format_html(
            '<rect class="bar{}" x="{}" y="{}" width="{}" height="14" rx="3"></rect>',
            " other" if bar.other else "",
            left,
            bar_y,
            _n(length),
        )
        if bar.url:
            rect = _link(bar.url, f"{bar.label}: {bar.value}", rect)
        rows.append(
            format_html(
                '<g><title>{}: {}</title><text class="label" x="{}" y="{}">{}</text>{}'
                '<text class="axis value" x="{}" y="{}">{}</text></g>',
                bar.label,
                bar.value,
                left,
                bar_y - 7,
                _short(bar.label, HBAR_LABEL_CHARS),
                rect,
                _n(left + length + 6),
                bar_y + 12,
                bar.value,
            )
        )
    return _svg(
        "hbars",
        WIDTH,
        height,
        label,
        _join(rows),
    )


def _ticks(axis_max: float) -> tuple[float, ...]:
    """The ticks of a count axis: whole numbers only (never "0.5 runs")."""
    if axis_max % 2 == 0:
        return (0, axis_max // 2, axis_max)
    return (0, axis_max)


def stacked_columns_chart(
    days: Sequence[StackedDay], *, series: Sequence[str], label: str
) -> SafeString:
    """One column per day, its segments stacked in `series` order from the bottom."""
    if not days:
        return SafeString("")
    height, left, bottom, top_pad = 190, 34, 22, 8
    plot_h = height - bottom - top_pad
    axis_max = _nice_ceiling(max(sum(d.counts.get(s, 0) for s in series) for d in days))
    step = (WIDTH - left) / len(days)
    bar_w = max(4.0, step * 0.64)
    parts = []
    for tick in _ticks(axis_max):
        y = top_pad + plot_h - plot_h * tick / axis_max
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                WIDTH,
                _n(y),
                _n(y),
                left - 6,
                _n(y + 4),
                f"{tick:g}",
            )
        )
    for i, day in enumerate(days):
        x = left + i * step + (step - bar_w) / 2
        base = top_pad + plot_h
        summary = ", ".join(f"{day.counts.get(s, 0)} {s}" for s in series)
        segments = []
        for name in series:
            value = day.counts.get(name, 0)
            if not value:
                continue
            h = plot_h * value / axis_max
            base -= h
            segments.append(
                format_html(
                    '<rect class="seg-{}" x="{}" y="{}" width="{}" height="{}"></rect>',
                    name,
                    _n(x),
                    _n(base),
                    _n(bar_w),
                    _n(h),
                )
            )
        every = max(2, math.ceil(len(days) / 8))  # about eight labels, the last day always
        from_last = len(days) - 1 - i
        day_label = f"{day.day.day} {day.day:%b}" if from_last % every == 0 else ""
        column = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="transparent"></rect>{}',
            _n(x),
            top_pad,
            _n(bar_w),
            plot_h,
            _join(segments),
        )
        url = getattr(day, "url", "")  # the list behind the column, where there is one
        parts.append(
            format_html(
                "<g><title>{}: {}</title>{}"
                '<text class="axis{}" x="{}" y="{}" text-anchor="middle">{}</text></g>',
                day.day.isoformat(),
                summary,
                _link(url, f"{day.day.isoformat()}: {summary}", column) if url else column,
                _phone_skips(from_last // every),
                _n(x + bar_w / 2),
                height - 6,
                day_label,
            )
        )
    return _svg(
        WIDTH,
        height,
        label,
        _join(parts),
    )


# --- time series and heat maps (insight/: health, usage, drift) ---------------


class Point(Protocol):
    label: str  # the x label (a day, a time)
    value: float
    url: str


class Series(Protocol):
    name: str
    points: Sequence[Point]


def line_chart(
    series: Sequence[Series], *, label: str, percent: bool = False, height: int = 200
) -> SafeString:
    """One line per series over shared x positions; every point is a dot
    linking to the list behind it (its <title> says what it is)."""
    if not series or not any(s.points for s in series):
        return SafeString("")
    n = max(len(s.points) for s in series)
    left, right, bottom, top_pad = 40, WIDTH - 8, 22, 10
    plot_h = height - bottom - top_pad
    top = 100 if percent else _nice_ceiling(int(math.ceil(max(
        (p.value for s in series for p in s.points), default=1
    ))))  # fmt: skip
    step = (right - left) / max(n - 1, 1)
    parts = []
    for tick in (0, top / 2, top) if percent else _ticks(top):
        y = top_pad + plot_h - plot_h * tick / top
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                right,
                _n(y),
                _n(y),
                left - 6,
                _n(y + 4),
                f"{tick:g}%" if percent else f"{tick:g}",
            )
        )
    labels = series[0].points
    every = max(1, math.ceil(n / 8))
    for i, point in enumerate(labels):
        if (n - 1 - i) % every == 0:
            parts.append(
                format_html(
                    '<text class="axis{}" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _phone_skips((n - 1 - i) // every),
                    _n(left + i * step),
                    height - 6,
                    point.label,
                )
            )
    for k, s in enumerate(series):
        coords = [
            (left + i * step, top_pad + plot_h - plot_h * min(p.value, top) / top)
            for i, p in enumerate(s.points)
        ]
        parts.append(
            format_html(
                '<polyline class="line s{}" points="{}"></polyline>',
                k % 6,
                " ".join(f"{_n(x)},{_n(y)}" for x, y in coords),
            )
        )
        for (x, y), p in zip(coords, s.points, strict=True):
            value = f"{p.value:.1f}%" if percent else f"{p.value:g}"
            dot = format_html(
                '<circle class="dot s{}" cx="{}" cy="{}" r="3.5"><title>{} {}: {}</title></circle>',
                k % 6,
                _n(x),
                _n(y),
                s.name,
                p.label,
                value,
            )
            name = f"{s.name} {p.label}: {value}"
            parts.append(_link(p.url, name, dot) if p.url else dot)
    return _svg(
        WIDTH,
        height,
        label,
        _join(parts),
    )


class Cell(Protocol):
    value: float
    url: str


def heat_map(
    rows: Sequence[tuple[str, Sequence[Cell]]], *, columns: Sequence[str], label: str
) -> SafeString:
    """A grid (for example day of week x hour of day), darker for higher
    values; each cell links to what it counts. Rows are tall enough, and the
    row labels' column wide enough, for the phone's larger axis text (21
    units, 11-12 px once the chart is scaled to a phone's width)."""
    if not rows:
        return SafeString("")
    left, top_pad, cell_h = 54, 28, 26
    cell_w = (WIDTH - left) / max(len(columns), 1)
    top = max((c.value for _, cells in rows for c in cells), default=0) or 1
    parts = []
    for j, name in enumerate(columns):
        if j % 3 == 0:
            parts.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(left + j * cell_w + cell_w / 2),
                    top_pad - 6,
                    name,
                )
            )
    for i, (row_label, cells) in enumerate(rows):
        y = top_pad + i * cell_h
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="end" '
                'dominant-baseline="central">{}</text>',
                left - 6,
                y + cell_h // 2,
                row_label,
            )
        )
        for j, cell in enumerate(cells):
            level = min(5, math.ceil(5 * cell.value / top)) if cell.value else 0
            rect = format_html(
                '<rect class="heat h{}" x="{}" y="{}" width="{}" height="{}" rx="2">'
                "<title>{} {}: {}</title></rect>",
                level,
                _n(left + j * cell_w + 1),
                y + 1,
                _n(cell_w - 2),
                cell_h - 2,
                row_label,
                columns[j],
                f"{cell.value:g}",
            )
            name = f"{row_label} {columns[j]}: {cell.value:g}"
            parts.append(_link(cell.url, name, rect) if cell.url else rect)
    return _svg(
        "heatmap",
        WIDTH,
        top_pad + cell_h * len(rows) + 4,
        label,
        _join(parts),
    )
