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
LABEL_WIDTH = 170
LABEL_CHARS = 26


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


def _join(parts) -> SafeString:
    return mark_safe("".join(parts))  # every part is already escaped by format_html


def hbar_chart(bars: Sequence[HBar], *, label: str) -> SafeString:
    """Horizontal bars, one row per value, each linking to its filtered view."""
    if not bars:
        return SafeString("")
    top = max(b.value for b in bars) or 1
    left, right = LABEL_WIDTH + 8, WIDTH - 56
    height = ROW * len(bars) + 4
    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW + 4
        length = max(2.0, (right - left) * bar.value / top) if bar.value else 0
        rect = format_html(
            '<rect class="bar{}" x="{}" y="{}" width="{}" height="16" rx="3"></rect>',
            " other" if bar.other else "",
            left,
            y,
            _n(length),
        )
        if bar.url:
            rect = format_html('<a href="{}">{}</a>', bar.url, rect)
        rows.append(
            format_html(
                '<g><title>{}: {}</title><text x="{}" y="{}" text-anchor="end">{}</text>{}'
                '<text class="axis" x="{}" y="{}">{}</text></g>',
                bar.label,
                bar.value,
                LABEL_WIDTH,
                y + 12,
                _short(bar.label),
                rect,
                _n(left + length + 6),
                y + 12,
                bar.value,
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        WIDTH,
        height,
        label,
        _join(rows),
    )


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
    for tick in (0, axis_max / 2, axis_max):
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
        day_label = f"{day.day.day} {day.day:%b}" if (len(days) - 1 - i) % 2 == 0 else ""
        parts.append(
            format_html(
                "<g><title>{}: {}</title>"
                '<rect x="{}" y="{}" width="{}" height="{}" fill="transparent"></rect>{}'
                '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text></g>',
                day.day.isoformat(),
                summary,
                _n(x),
                top_pad,
                _n(bar_w),
                plot_h,
                _join(segments),
                _n(x + bar_w / 2),
                height - 6,
                day_label,
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        WIDTH,
        height,
        label,
        _join(parts),
    )
