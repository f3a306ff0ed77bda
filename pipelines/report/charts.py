"""The report's charts as inline SVG: no scripts, no fonts or images from anywhere.

Two charts: the share on plan per period (a line with its values written out) and, per goal
area, the status shares per period as stacked columns. Each segment carries a ``<title>`` with
the status word and count, the legend names every colour, and the numbers are in the tables:
colour is never the only carrier.
"""

from __future__ import annotations

import html

import polars as pl

from pipelines.core.status import STATUSES
from pipelines.report.colours import MARKERS

FONT = "system-ui, 'Segoe UI', Roboto, Arial, sans-serif"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _percent(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    return f"{round(value * 100)}\u00a0%" if lang == "sv" else f"{round(value * 100)}%"


def _period_ticks(periods: list[str], limit: int = 8) -> set[int]:
    """Which period labels to write: all when few, else every n-th and the last."""
    if len(periods) <= limit:
        return set(range(len(periods)))
    step = -(-len(periods) // limit)
    return {i for i in range(len(periods)) if i % step == 0} | {len(periods) - 1}


def share_line_svg(periods: list[str], shares: list[float | None], title: str, lang: str) -> str:
    """Share on plan over time: a line through each period's share, the value over each point."""
    width, height, left, right, top, bottom = 640, 220, 44, 16, 24, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(periods)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h * (1 - v)

    parts = [
        f'<svg class="chart chart-share" role="img" aria-label="{_esc(title)}" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{FONT}" font-size="12">',
        f"<title>{_esc(title)}</title>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#d9d9d9" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#444">'
            f"{_esc(_percent(tick, lang))}</text>"
        )
    ticks = _period_ticks(periods)
    points = [(x(i), y(v)) for i, v in enumerate(shares) if v is not None]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f4e79" stroke-width="2.5"/>')
    for i, (period, v) in enumerate(zip(periods, shares, strict=True)):
        if i in ticks:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle" fill="#333">'
                f"{_esc(period)}</text>"
            )
        if v is None:
            continue
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="#1f4e79">'
            f"<title>{_esc(period)}: {_esc(_percent(v, lang))}</title></circle>"
        )
        if i in ticks:
            parts.append(
                f'<text x="{x(i):.1f}" y="{y(v) - 9:.1f}" text-anchor="middle" fill="#1f4e79" '
                f'font-weight="bold">{_esc(_percent(v, lang))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def area_columns_svg(
    area: str, rows: pl.DataFrame, periods: list[str], words: dict[str, str], lang: str
) -> str:
    """One goal area: a 100 % stacked column per period (green at the bottom, then yellow, red,
    unknown); ``rows`` holds that area's counts per period."""
    width, height, left, top, bottom = 300, 170, 8, 8, 30
    plot_w, plot_h = width - 2 * left, height - top - bottom
    n = max(len(periods), 1)
    slot = plot_w / n
    bar = min(slot * 0.7, 40)
    by_period = {r["period"]: r for r in rows.iter_rows(named=True)}
    parts = [
        f'<svg class="chart chart-area" role="img" aria-label="{_esc(area)}" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{FONT}" font-size="11">',
        f"<title>{_esc(area)}</title>",
    ]
    ticks = _period_ticks(periods, limit=6)
    for i, period in enumerate(periods):
        cx = left + slot * (i + 0.5)
        row = by_period.get(period)
        total = sum(row[s] for s in STATUSES) if row else 0
        base = top + plot_h
        for status in STATUSES:
            count = row[status] if row else 0
            if not total or not count:
                continue
            h = plot_h * count / total
            base -= h
            share = _percent(count / total, lang)
            parts.append(
                f'<rect x="{cx - bar / 2:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{MARKERS[status]}" stroke="#ffffff" stroke-width="0.5">'
                f"<title>{_esc(period)}: {_esc(words[status])} {count} ({_esc(share)})"
                f"</title></rect>"
            )
        if not total:
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h - 4}" text-anchor="middle" fill="#666">'
                "–</text>"
            )
        if i in ticks:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - 12}" text-anchor="middle" fill="#333">'
                f"{_esc(period)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def legend_html(words: dict[str, str], meanings: dict[str, str]) -> str:
    items = "".join(
        f'<li><span class="swatch" style="background:{MARKERS[s]}"></span>'
        f"<b>{_esc(words[s])}</b>{(' – ' + _esc(meanings[s])) if meanings.get(s) else ''}</li>"
        for s in STATUSES
    )
    return f'<ul class="legend">{items}</ul>'
