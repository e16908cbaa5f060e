"""The reasoned memo: HTML, PDF and Markdown from Jinja2 templates.

:func:`build_context` turns an :class:`~fairuse.assess.Assessment` into the
plain data the templates read; :func:`render` fills a template; :func:`write`
writes a file atomically. Templates live in ``templates/`` and an organisation
can override any of them with ``--template DIR`` (searched first). Every
template runs in Jinja2's sandbox with HTML autoescaping, so text from an
answers file can never inject markup.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .assess import NOT_LEGAL_ADVICE, Assessment, flip_known
from .errors import FairuseError
from .paths import data_dir
from .report import FACTOR_TITLES, JURISDICTION_NAMES, label
from .yamlfile import load_file

FORMATS = ("html", "pdf", "md")
FACTOR_TEXT = {
    "purpose": "the purpose and character of the use, including whether such use is of a commercial nature "
               "or is for nonprofit educational purposes",
    "nature": "the nature of the copyrighted work",
    "amount": "the amount and substantiality of the portion used in relation to the copyrighted work as a whole",
    "market": "the effect of the use upon the potential market for or value of the copyrighted work",
}
VERDICT_WORDS = {
    "likely_fair": "is likely a fair use", "leaning_fair": "leans toward fair use",
    "uncertain": "is uncertain", "leaning_unfair": "leans against fair use",
    "likely_unfair": "is likely not a fair use", "not_needed": "needs no exception",
    "applies": "falls within the exception", "does_not_apply": "falls outside the exception",
}
KIND_TITLES = {"case": "Cases", "statute": "Statutes", "regulation": "Regulations",
               "guidance": "Guidance", "report": "Reports"}


def templates_dir() -> Path:
    return data_dir("templates")


# ----------------------------------------------------------------------- context


def _prose_spec(template_dirs: list[Path]) -> dict:
    for folder in template_dirs:
        candidate = folder / "facts_prose.yaml"
        if candidate.exists():
            spec = load_file(candidate)
            if not isinstance(spec, dict) or not isinstance(spec.get("facts"), dict):
                raise FairuseError(f"{candidate}: expected a mapping with a 'facts' mapping")
            return spec
    return {"facts": {}, "unknown": "It is not known {question}."}


def _prose(assessment: Assessment, spec: dict) -> tuple[list[str], list[str]]:
    facts = spec.get("facts") or {}
    known, unknown = [], []
    voc = assessment.rulebase.vocabulary
    for fact in voc:
        if fact.id in ("use_summary", "assessment_date"):
            continue
        entry = facts.get(fact.id) or {}
        value = assessment.answers.get(fact.id)
        if value is None:
            continue
        if isinstance(entry, str):
            known.append(entry.format(value=_words(value)))
            continue
        values = entry.get("values") or {}
        if entry.get("sentence"):
            shown = ", ".join(str(values.get(v, v)) for v in value) if isinstance(value, list) else values.get(value, str(value).replace("_", " "))
            known.append(entry["sentence"].format(value=shown))
        elif value in values:
            known.append(values[value])
        else:
            known.append(f"{fact.id.replace('_', ' ').capitalize()}: {_words(value)}.")
    for fact_id in assessment.missing:
        entry = facts.get(fact_id) or {}
        question = entry.get("question") if isinstance(entry, dict) else None
        unknown.append(spec.get("unknown", "It is not known {question}.").format(
            question=question or f"what the answer is on {fact_id.replace('_', ' ')}"))
    return known, unknown


def _words(value) -> str:
    if isinstance(value, list):
        return ", ".join(JURISDICTION_NAMES.get(v, str(v)) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def _change_sentence(change, prose: dict) -> str:
    where = JURISDICTION_NAMES.get(change.jurisdiction, change.jurisdiction)
    entry = prose.get(change.fact)
    values = getattr(change, "values", None) or [change.value]
    sentences = []
    for value in values:
        sentence = None
        if isinstance(entry, dict):
            words = entry.get("values") or {}
            if entry.get("sentence") and value in words:
                sentence = entry["sentence"].format(value=words[value])
            elif value in words:
                sentence = words[value]
        sentences.append(sentence)
    if all(sentences):
        condition = "it were the case that " + " or that ".join(
            f"{x[0].lower()}{x[1:].rstrip('.')}" for x in sentences)
    else:
        condition = f"{change.fact.replace('_', ' ')} were {' or '.join(_words(v) for v in values)}"
    return (f"If {condition}, the {where} verdict would move from {change.before.replace('_', ' ')} "
            f"to {change.after.replace('_', ' ')}.")


class _Authorities:
    """Collects every authority cited, with the sections citing it."""

    def __init__(self, rulebase):
        self.by_cite = {a.cite: a for a in rulebase.authorities.values()}
        self.entries: dict[str, dict] = {}

    def cite(self, citation: str, section: str, section_title: str) -> str:
        base = self._base(citation)
        entry = self.entries.setdefault(base, {"cite": base, "kind": self._kind(base), "sections": {}})
        entry["sections"][section] = section_title
        return citation

    def _base(self, citation: str) -> str:
        for cite in sorted(self.by_cite, key=len, reverse=True):
            if citation.startswith(cite):
                return cite
        return citation

    def _kind(self, base: str) -> str:
        auth = self.by_cite.get(base)
        return auth.kind if auth else "case"

    def table(self) -> list[dict]:
        groups = []
        for kind, title in KIND_TITLES.items():
            items = sorted((e for e in self.entries.values() if e["kind"] == kind), key=lambda e: e["cite"].lower())
            if items:
                groups.append({"title": title, "items": [
                    {"cite": e["cite"], "sections": [{"id": k, "title": v} for k, v in e["sections"].items()]}
                    for e in items]})
        return groups


def build_context(assessment: Assessment, *, to: str = "File", author: str = "fairuse (automated analysis)",
                  template_dirs: list[Path] | None = None) -> dict:
    """Everything the memo templates need, as plain data."""
    a = assessment
    base = a.rulebase
    template_dirs = template_dirs or [templates_dir()]
    auth = _Authorities(base)
    prose = _prose_spec(template_dirs)
    known, unknown = _prose(a, prose)
    summary = " ".join(str(a.answers.get("use_summary") or "the use described below").split())
    names = [JURISDICTION_NAMES.get(j, j) for j in a.jurisdictions]

    precedents = _precedents_by_factor(a)
    factors = []
    if a.us is not None and a.us.verdict != "not_needed":
        for i, (name, f) in enumerate(a.us.factors.items(), 1):
            section = f"factor-{name}"
            reasons = []
            for r in f.reasons:
                reasons.append({**r, "authority": [auth.cite(c, section, f"Discussion, factor {i}") for c in r["authority"]],
                                "counted": bool(r.get("weight"))})
            for side in ("for", "against"):
                for p in precedents[name][side]:
                    auth.cite(p["citation_full"], section, f"Discussion, factor {i}")
            factors.append({"id": section, "number": i, "name": name, "title": FACTOR_TITLES[name],
                            "text": FACTOR_TEXT[name], "leaning": f.leaning, "score": f.score, "reasons": reasons,
                            "precedents_for": precedents[name]["for"], "precedents_against": precedents[name]["against"]})
    if a.us is not None:
        for r in a.us.not_needed_by:
            for c in r["authority"]:
                auth.cite(c, "brief-answer", "Brief Answer")
        auth.cite("17 U.S.C. § 107", "question", "Question Presented")

    others = []
    for code, res in a.tdm.items():
        section = f"jurisdiction-{code}"
        for p in res.provisions:
            for c in p.authority:
                auth.cite(c, section, f"Other Jurisdictions: {JURISDICTION_NAMES.get(code, code)}")
        for r in res.reasons:
            for c in r["authority"]:
                auth.cite(c, section, f"Other Jurisdictions: {JURISDICTION_NAMES.get(code, code)}")
        for d in res.duties:
            for c in d["authority"]:
                auth.cite(c, section, f"Other Jurisdictions: {JURISDICTION_NAMES.get(code, code)}")
        others.append({"id": section, "code": code, "name": JURISDICTION_NAMES.get(code, code), "verdict": res.verdict,
                       "label": label(res.verdict), "words": VERDICT_WORDS.get(res.verdict, res.verdict),
                       "provisions": [p.__dict__ for p in res.provisions], "reasons": res.reasons,
                       "duties": res.duties, "notes": res.notes, "steps": res.steps})

    unknown_changes = [_change_sentence(c, prose["facts"]) for c in a.changes if c.after != "not_needed"]
    resting = [_change_sentence(c, prose["facts"]) for c in flip_known(a)]
    mitigations, seen = [], set()
    for res in a.results.values():
        for m in res.mitigations:
            if m["mitigation"] not in seen:
                seen.add(m["mitigation"])
                mitigations.append({**m, "authority": [auth.cite(c, "mitigations", "Risk Mitigations") for c in m["authority"]]})
    notes = [n for res in a.results.values() for n in res.notes]
    for n in notes:
        for c in n["authority"]:
            auth.cite(c, "caveats", "Caveats")
    unsettled = []
    for code, firings in a.trace.items():
        for f in firings:
            if f.rule.unsettled and f.rule.unsettled not in {u["text"] for u in unsettled}:
                unsettled.append({"rule": f.rule.id, "text": f.rule.unsettled, "jurisdiction": code})
    trace = []
    for code, firings in a.trace_dicts().items():
        for f in firings:
            for c in f["authority"]:
                auth.cite(c, "appendix", "Appendix: Rule Trace")
            trace.append({**f, "jurisdiction": code, "concluded_lines": _concluded_lines(f["concluded"])})

    us = None
    if a.us is not None:
        us = {"verdict": a.us.verdict, "label": label(a.us.verdict), "words": VERDICT_WORDS[a.us.verdict],
              "score": a.us.score, "steps": a.us.steps, "not_needed_by": a.us.not_needed_by}
    return {
        "heading": {"to": to, "from": author, "date": a.as_of.isoformat(), "generated": dt.date.today().isoformat(),
                    "re": summary if len(summary) < 140 else summary[:137].rsplit(" ", 1)[0] + "…"},
        "summary": summary,
        "jurisdiction_names": names,
        "question_tdm": [n for j, n in zip(a.jurisdictions, names) if j != "us"],
        "us": us,
        "factors": factors,
        "chart": chart_svg(a) if a.us is not None else "",
        "others": others,
        "facts_known": known,
        "facts_unknown": unknown,
        "missing": [{"id": m, "meaning": base.vocabulary[m].meaning} for m in a.missing],
        "unknown_changes": unknown_changes,
        "resting_on": resting,
        "assumptions": [{"text": f"{JURISDICTION_NAMES.get(x['jurisdiction'], x['jurisdiction'])}: assuming "
                                 f"{x['fact'].replace('_', ' ')} is {_words(x['assumed'])}. {x['reason']}"}
                        for x in a.assumptions],
        "disagreements": [{"text": f"{JURISDICTION_NAMES.get(d['jurisdiction'], d['jurisdiction'])}: the answer given for "
                                   f"{d['fact'].replace('_', ' ')} ({_words(d['stated'])}) was applied, but the other "
                                   f"facts imply {' or '.join(_words(v) for v in d['implied'])}."}
                          for d in a.disagreements],
        "precedent_reasoning": (a.analogies["us"].sentence if "us" in a.analogies and a.us is not None
                                and a.us.verdict != "not_needed" else ""),
        "mitigations": mitigations,
        "notes": notes,
        "unsettled": unsettled,
        "precedents": a.precedents,
        "authorities": auth.table(),
        "trace": trace,
        "ruleset": {"version": base.version, "stated_as_of": base.stated_as_of.isoformat(), "as_of": a.as_of.isoformat()},
        "disclaimer": NOT_LEGAL_ADVICE,
    }


def _concluded_lines(concluded: dict) -> list[str]:
    lines = []
    for key, value in concluded.items():
        if key == "finding":
            lines += [f"finding {k} = {_words(v)}" for k, v in value.items()]
        elif key in ("note", "mitigation", "duty"):
            lines.append(f"{key} (see text)")
        elif key == "provision":
            lines.append(f"provision {', '.join(value) if isinstance(value, list) else value}")
        else:
            lines.append(f"{key} {_words(value)}")
    return lines


def _precedents_by_factor(a: Assessment) -> dict:
    """For each factor, the closest precedents whose court found it for the user or the owner."""
    out = {f: {"for": [], "against": []} for f in FACTOR_TEXT}
    if not a.precedents:
        return out
    try:
        from .casebook import load_casebook, rank
        cases = load_casebook(getattr(a, "casebook_dir", None), a.rulebase)
    except FairuseError:
        return out
    facts = {k: v for k, v in a.answers.items() if k not in ("use_summary", "assessment_date", "jurisdictions")}
    ranked = [m for m in rank(facts, cases, a.rulebase) if m.case.jurisdiction == "us"]
    for factor in out:
        for side, finding in (("for", "user"), ("against", "owner")):
            picks = [m for m in ranked if m.case.factors.get(factor) == finding][:2]
            out[factor][side] = [{"name": m.case.name, "citation": m.case.citation,
                                  "citation_full": f"{m.case.name}, {m.case.citation}", "outcome": m.case.outcome,
                                  "similarity": round(m.similarity, 2), "holding": m.case.holding} for m in picks]
    return out


# ----------------------------------------------------------------------- chart


def chart_svg(a: Assessment) -> str:
    """A small inline SVG: each factor's score from owner (-1) to user (+1), and the verdict."""
    us = a.us
    width, row, left, bar = 520, 30, 190, 300
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
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{i + 1}. {name} ({f.leaning})</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{bar}" height="18" fill="#f2f2f2"/>')
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" height="18" fill="{colour}"/>')
    y = 12 + 4 * row + 22
    verdict_colour = {"likely_fair": "#2e7d32", "leaning_fair": "#66bb6a", "uncertain": "#f9a825",
                      "leaning_unfair": "#ef5350", "likely_unfair": "#c62828", "not_needed": "#1565c0"}[us.verdict]
    parts.append(f'<rect x="0" y="{y}" width="{width}" height="22" fill="{verdict_colour}"/>')
    parts.append(f'<text x="8" y="{y + 15}" font-size="13" fill="#fff" font-weight="bold">US verdict: '
                 f'{label(us.verdict)} (score {us.score:+.2f})</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# ----------------------------------------------------------------------- rendering


def environment(template_dir: Path | None = None):
    """A sandboxed Jinja2 environment: the organisation's templates first, then ours."""
    from jinja2 import ChoiceLoader, FileSystemLoader, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    loaders = []
    if template_dir is not None:
        if not Path(template_dir).is_dir():
            raise FairuseError(f"--template: {template_dir}: no such directory")
        loaders.append(FileSystemLoader(str(template_dir)))
    loaders.append(FileSystemLoader(str(templates_dir())))
    env = SandboxedEnvironment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "htm"),
                                                               default_for_string=True, default=False),
                               trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = _md_escape
    env.filters["words"] = lambda v: str(v).replace("_", " ")
    return env


def _md_escape(text) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|#":
        text = text.replace(ch, "\\" + ch)
    return text


def render(assessment: Assessment, fmt: str, template_dir: Path | None = None, **heading) -> bytes:
    """The memo as bytes in ``fmt`` (html, pdf or md)."""
    from jinja2 import TemplateError

    if fmt not in FORMATS:
        raise FairuseError(f"--format: expected one of {', '.join(FORMATS)}, got '{fmt}'")
    dirs = ([Path(template_dir)] if template_dir else []) + [templates_dir()]
    context = build_context(assessment, template_dirs=dirs, **heading)
    env = environment(template_dir)
    name = "memo.md.j2" if fmt == "md" else "memo.html.j2"
    try:
        text = env.get_template(name).render(**context, for_pdf=(fmt == "pdf"))
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise FairuseError(f"{where}{':' + str(line) if line else ''}: template error: {exc.message}") from None
    if fmt != "pdf":
        return text.encode("utf-8")
    return _pdf(text)


def _pdf(html: str) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are missing
        raise FairuseError(f"PDF output needs WeasyPrint and the Pango libraries ({exc}); "
                           "on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0") from None
    return weasyprint.HTML(string=html, base_url=str(templates_dir()), url_fetcher=_locked_fetcher()).write_pdf()


def check_url(url: str):
    """What the PDF renderer may load: ``data:`` URLs and files inside the package's templates.

    Returns ``"data"`` or the file's path; anything else raises :class:`FairuseError`
    (WeasyPrint then skips the resource with a warning).
    """
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    if parsed.scheme == "data":
        return "data"
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path)).resolve()
        if path.is_relative_to(templates_dir().resolve()) and path.is_file():
            return path
    raise FairuseError(f"the memo tried to load {url!r}; only the package's own assets may be loaded")


def _locked_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LockedFetcher(URLFetcher):
        """No network, no file outside the package's templates."""

        def fetch(self, url, headers=None):
            allowed = check_url(url)
            if allowed == "data":
                return super().fetch(url, headers)
            return URLFetcherResponse(url, body=allowed.read_bytes())

    return LockedFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def write(data: bytes, out: Path, force: bool = False) -> None:
    """Write the memo atomically; never overwrite without ``force``."""
    from .atomic import write_atomic

    out = Path(out)
    if out.exists() and not force:
        raise FairuseError(f"{out}: already exists; use --force to overwrite it")
    if not out.parent.is_dir():
        raise FairuseError(f"{out.parent}: no such directory")
    write_atomic(out, data)
