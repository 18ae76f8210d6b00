"""Charts for people who would rather look than read, drawn as plain SVG on the server.

No script and no outside request: the SVG is part of the page. Every text is escaped.

>>> from aikg.analyst import Holding
>>> korea = Holding("c", "h", "Korea", 2000, None, "H100", "S1", "s", None, None, ())
>>> svg = holdings_chart([korea])
>>> svg.startswith('<svg') and "Korea" in svg
True
"""

from __future__ import annotations

import math
from html import escape

from aikg.analyst import Holding, IndexPosition, RankChange

CONFLICT = "#b3261e"
BAR = "#1f5fbf"
INK = "#1d2430"
MUTED = "#5b6575"
GRID = "#d9dee7"


def _fmt(n: int) -> str:
    return f"{n:,}"


def holdings_chart(holdings: list[Holding], *, link: bool = True) -> str:
    """Hardware holdings by holder on a log scale; claims flagged in a conflict are drawn in
    the conflict colour and named as such (S1 gives 350,000 to Meta and to China)."""
    if not holdings:
        return '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="no holdings"></svg>'
    left, right, top, row = 230, 640, 40, 30
    width = right + 290
    height = top + row * len(holdings) + 60
    low = 10 ** math.floor(math.log10(min(h.quantity for h in holdings)))
    high = 10 ** math.ceil(math.log10(max(h.quantity for h in holdings)))
    span = math.log10(high) - math.log10(low)

    def x(value: float) -> float:
        return left + (right - left) * (math.log10(value) - math.log10(low)) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-holdings" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="holdings-title">',
        '<title id="holdings-title">Hardware holdings by holder (log scale)</title>',
        f'<text x="{left}" y="22" font-size="15" font-weight="600" fill="{INK}">'
        "Hardware holdings by holder (log scale)</text>",
    ]
    tick = low
    while tick <= high:
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" '
            f'y2="{top + row * len(holdings)}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{x(tick):.1f}" y="{top + row * len(holdings) + 16}" '
            f'font-size="11" text-anchor="middle" fill="{MUTED}">{_fmt(int(tick))}</text>'
        )
        tick *= 10
    conflicts = []
    for i, h in enumerate(holdings):
        y = top + i * row
        colour = CONFLICT if h.conflict else BAR
        name = escape(f"{h.holder_label or h.holder} ({h.source_id})")
        what = escape(h.hardware_label or "")
        parts.append(
            f'<g class="bar{" conflict" if h.conflict else ""}" data-holder="{escape(h.holder)}">'
        )
        parts.append(
            f"<title>{name}: {_fmt(h.quantity)} {what}"
            f"{' (in conflict with another claim)' if h.conflict else ''}</title>"
        )
        parts.append(
            f'<text x="{left - 8}" y="{y + 18}" font-size="13" text-anchor="end" '
            f'fill="{INK}">{name}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y + 5}" width="{max(x(h.quantity) - left, 2):.1f}" '
            f'height="{row - 10}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x(h.quantity) + 6:.1f}" y="{y + 18}" font-size="12" '
            f'fill="{colour}">{_fmt(h.quantity)} {what}'
            f"{' ⚠ conflict' if h.conflict else ''}</text>"
        )
        parts.append("</g>")
        if h.conflict and h.conflict not in conflicts:
            conflicts.append(h.conflict)
    legend_y = top + row * len(holdings) + 40
    parts.append(f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" fill="{CONFLICT}"/>')
    parts.append(
        f'<text x="{left + 18}" y="{legend_y}" font-size="12" fill="{INK}">'
        "claims flagged as conflicting: the same figure given for different holders"
        "</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def ranks_chart(positions: list[IndexPosition], changes: list[RankChange] | None = None) -> str:
    """Ranks per index: each index a row, rank 1 on the left, one dot per country; a rank
    change is an arrow from the old rank to the new one."""
    ranked: dict[str, list[IndexPosition]] = {}
    for p in positions:
        if p.rank is not None:
            ranked.setdefault(p.index_label or p.index, []).append(p)
    left, right, top, row = 270, 700, 40, 54
    width = right + 60
    height = top + row * max(len(ranked), 1) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-ranks" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="ranks-title">',
        '<title id="ranks-title">Ranks per index (1 is first)</title>',
        f'<text x="{left}" y="22" font-size="15" font-weight="600" fill="{INK}">'
        "Ranks per index (1 is first)</text>",
    ]
    for i, (index, items) in enumerate(sorted(ranked.items())):
        y = top + i * row + 20
        worst = max([p.ranked_count or 0 for p in items] + [p.rank or 0 for p in items] + [10])

        def x(rank: int, worst: int = worst) -> float:
            return left + (right - left) * (rank - 1) / max(worst - 1, 1)

        label = escape(index)
        ranked_note = " ranked" if any(p.ranked_count for p in items) else ""
        ranked_note = " ranked" if any(p.ranked_count for p in items) else ""
        parts.append(f'<g class="index-row" data-index="{escape(items[0].index)}">')
        parts.append(
            f'<text x="{left - 10}" y="{y + 4}" font-size="13" text-anchor="end" '
            f'fill="{INK}">{label}</text>'
        )
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{GRID}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{left}" y="{y + 18}" font-size="10" fill="{MUTED}">1</text>')
        parts.append(
            f'<text x="{right}" y="{y + 18}" font-size="10" text-anchor="end" '
            f'fill="{MUTED}">{worst}{ranked_note}</text>'
        )
        for j, p in enumerate(sorted(items, key=lambda p: p.rank or 0)):
            assert p.rank is not None
            name = escape(p.country_label or p.country)
            parts.append(
                f'<circle cx="{x(p.rank):.1f}" cy="{y}" r="6" fill="{BAR}">'
                f"<title>{name}: {p.rank} ({escape(p.source_id)})</title></circle>"
            )
            parts.append(
                f'<text x="{x(p.rank):.1f}" y="{y - 10 - (j % 2) * 11}" font-size="11" '
                f'text-anchor="middle" fill="{INK}">{name} {p.rank}</text>'
            )
        for change in changes or []:
            if change.index != items[0].index:
                continue
            start, end = x(change.from_rank), x(change.to_rank)
            name = escape(change.country_label or change.country)
            parts.append(
                f'<g class="rank-change"><title>{name}: from {change.from_rank} to '
                f"{change.to_rank} {escape(change.period or '')} ({escape(change.source_id)})"
                f'</title><line x1="{start:.1f}" y1="{y + 12}" x2="{end + 6:.1f}" y2="{y + 12}" '
                f'stroke="{MUTED}" stroke-dasharray="3 2"/>'
                f'<polygon points="{end:.1f},{y + 12} {end + 7:.1f},{y + 8} '
                f'{end + 7:.1f},{y + 16}" '
                f'fill="{MUTED}"/><text x="{start + 4:.1f}" y="{y + 26}" font-size="10" '
                f'fill="{MUTED}">{name} {change.from_rank} → {change.to_rank}</text></g>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
