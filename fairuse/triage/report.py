"""The ``--report`` HTML: share of rows and bytes by verdict per jurisdiction,
top reserving domains, signals found (inline SVG charts, nothing loaded from the
network), and the evidence log an AI Act compliance file needs.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from ..paths import data_dir

VERDICT_COLOURS = {
    "applies": "#2e7d32", "likely_fair": "#2e7d32", "leaning_fair": "#7cb342", "not_needed": "#1565c0",
    "uncertain": "#f9a825", "leaning_unfair": "#ef6c00", "does_not_apply": "#c62828", "likely_unfair": "#c62828",
}
EVIDENCE_ROWS = 5000


def _words(s: str) -> str:
    return s.replace("_", " ")


def stacked_bar(parts: list[tuple[str, float]], width: int = 560, height: int = 22) -> str:
    """One horizontal bar split into shares, as inline SVG."""
    total = sum(v for _, v in parts) or 1
    x = 0.0
    rects = []
    for label, v in parts:
        w = width * v / total
        colour = VERDICT_COLOURS.get(label, "#9e9e9e")
        rects.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{colour}">'
                     f'<title>{html.escape(_words(label))}: {v / total:.1%}</title></rect>')
        x += w
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'viewBox="0 0 {width} {height}">' + "".join(rects) + "</svg>")


def bars(items: list[tuple[str, int]], width: int = 560, row: int = 18) -> str:
    """Horizontal bars with labels, as inline SVG."""
    if not items:
        return ""
    top = max(v for _, v in items) or 1
    label_w = 220
    h = row * len(items) + 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" viewBox="0 0 {width} {h}">']
    for i, (label, v) in enumerate(items):
        y = i * row + 2
        w = (width - label_w - 70) * v / top
        out.append(f'<text x="0" y="{y + 12}" font-size="11">{html.escape(label[:34])}</text>'
                   f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row - 5}" fill="#5c6bc0"/>'
                   f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="11">{v:,}</text>')
    out.append("</svg>")
    return "".join(out)


def context(result) -> dict:
    s = result.summary
    book = result.book
    juris = []
    for j in s.jurisdictions:
        rows = sorted(((v, n) for (jj, v), n in s.verdict_rows.items() if jj == j), key=lambda kv: -kv[1])
        nbytes = [(v, s.verdict_bytes[(j, v)]) for v, _ in rows]
        juris.append({"code": j, "rows_svg": stacked_bar(rows), "bytes_svg": stacked_bar(nbytes) if s.bytes_out else "",
                      "table": [{"verdict": _words(v), "colour": VERDICT_COLOURS.get(v, "#9e9e9e"), "rows": n,
                                 "share": n / (s.rows_out or 1), "bytes": s.verdict_bytes[(j, v)],
                                 "bytes_share": s.verdict_bytes[(j, v)] / (s.bytes_out or 1)} for v, n in rows]})
    signals = []
    for sid, n in sorted(s.signal_rows.items(), key=lambda kv: -kv[1]):
        sig = book.signals.get(sid)
        signals.append({"label": sig.label if sig else _words(sid), "rows": n, "status": sig.status if sig else "",
                        "meaning": sig.meaning if sig else "", "effect": sig.legal_effect if sig else "",
                        "authority": "; ".join(sig.authority) if sig else "", "date": sig.date.isoformat() if sig else "",
                        "unverified": sig.unverified if sig else "",
                        "sets": ", ".join(f"{_words(k)}: {_words(str(v))}" for k, v in (sig.sets.items() if sig else []))})
    licences = []
    for lid, n in sorted(s.licence_rows.items(), key=lambda kv: -kv[1]):
        lic = next((x for x in book.licences if x.id == lid), None)
        if lic:
            licences.append({"label": lic.label, "rows": n, "meaning": lic.meaning, "authority": "; ".join(lic.authority),
                             "unverified": lic.unverified})
    from .guidance import not_checked, settle

    top = s.hosts.top("reserving", 20)
    evidence = sorted(s.evidence.items(), key=lambda kv: (-kv[1]["rows"], kv[0]))
    ev_rows = [{"host": h, "signal": book.signals[sig].label if sig in book.signals else _words(sig),
                "source": book.signals[sig].source if sig in book.signals else "", **e,
                "rows_text": f"{e['rows']:,}", "bytes_text": f"{e['bytes']:,}",
                "honoured_text": "excluded" if e["honoured"] == e["rows"] else
                                 f"{e['honoured']:,} of {e['rows']:,} excluded"} for (h, sig), e in evidence[:EVIDENCE_ROWS]]
    unverified = sorted({text for (_j, _r), text in result.decider.unverified.items()})
    return {
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "law_as_of": result.decider.on.isoformat(),
        "signals_as_of": book.stated_as_of.isoformat(),
        "ruleset": result.decider.base.version,
        "rows_in": result.rows_in, "rows_out": result.rows_out, "errors": result.errors, "balanced": result.balanced,
        "bytes_out": s.bytes_out, "engine_runs": result.decider.runs, "seconds": result.seconds,
        "errors_path": str(result.errors_path) if result.errors_path else "",
        "jurisdictions": juris, "signals": signals, "licences": licences,
        "top_svg": bars(top), "top": top, "evidence": ev_rows, "evidence_total": len(evidence),
        "evidence_cut": len(evidence) > EVIDENCE_ROWS, "problems": result.problems[:5000],
        "problems_total": len(result.problems), "unsettled": unverified,
        "answers": _answers_in_words(result),
        "not_checked": not_checked(result), "unchecked_rows": dict(s.unchecked_rows),
        "settle": settle(result),
        "uncertain": {j: s.verdict_rows.get((j, "uncertain"), 0) for j in s.jurisdictions},
        "use_summary": result.decider.answers.get("use_summary", ""),
        "ai_agents": ", ".join(book.ai_user_agents),
    }


def _answers_in_words(result) -> list:
    """The corpus answers as the questionnaire words them: (question, answer)."""
    from ..questionnaire.flow import describe
    from .guidance import questions_by_fact

    qs = questions_by_fact(result.decider.base)
    out = []
    for fact, value in result.decider.answers.items():
        if fact == "use_summary":
            continue
        q = qs.get(fact)
        if q is None:
            out.append((_words(fact).capitalize(), _words(str(value))))
        else:
            out.append((q.question, describe(q, value)))
    return out


def render(result) -> str:
    from jinja2 import FileSystemLoader, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(loader=FileSystemLoader(str(data_dir("templates") / "triage")),
                               autoescape=select_autoescape(["html", "j2"]))
    env.filters["words"] = _words
    return env.get_template("report.html.j2").render(**context(result))


def write_report(result, path: Path, *, force: bool = False, inputs=()) -> None:
    from ..atomic import write_atomic

    write_atomic(Path(path), render(result), force=force, inputs=inputs)
