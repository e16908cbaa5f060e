"""The memo's chart: each US factor's score and the verdict, as a small inline SVG."""

from __future__ import annotations


def chart_svg(us) -> str:
    """A small inline SVG: each factor's score from owner (-1) to user (+1), and the verdict (``us``: a US
    :class:`~fairuse.analysis.Result`)."""
    label = us.verdict.replace("_", " ").upper()
    width, row, left, bar = 520, 22, 190, 300
    height = row * 5 + 40
    mid = left + bar / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="Factor leanings and verdict">',
             f'<line x1="{mid}" y1="10" x2="{mid}" y2="{row * 4 + 14}" stroke="#555" stroke-width="1"/>',
             f'<text x="{left}" y="{row * 4 + 28}" font-size="10" fill="#555">owner</text>',
             f'<text x="{left + bar - 24}" y="{row * 4 + 28}" font-size="10" fill="#555">user</text>']
    for i, (name, f) in enumerate(us.factors.items()):
        y = 12 + i * row
        length = abs(f.score) * bar / 2
        x = mid if f.score >= 0 else mid - length
        colour = "#2e7d32" if f.leaning == "user" else "#c62828" if f.leaning == "owner" else "#9e9e9e"
        side = {"user": "favours the user", "owner": "favours the owner"}.get(f.leaning, "neutral")
        parts.append(f'<text x="0" y="{y + 12}" font-size="11">Factor {i + 1}: {side}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{bar}" height="16" fill="#f2f2f2"/>')
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" height="16" fill="{colour}"/>')
    y = 12 + 4 * row + 22
    verdict_colour = {"likely_fair": "#2e7d32", "leaning_fair": "#66bb6a", "uncertain": "#f9a825",
                      "leaning_unfair": "#ef5350", "likely_unfair": "#c62828", "not_needed": "#1565c0"}[us.verdict]
    parts.append(f'<rect x="0" y="{y}" width="{width}" height="22" fill="{verdict_colour}"/>')
    parts.append(f'<text x="8" y="{y + 15}" font-size="13" fill="#fff" font-weight="bold">US verdict: '
                 f'{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
