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
import re
from pathlib import Path

from .assess import NOT_LEGAL_ADVICE, Assessment, flip_known
from .errors import FairuseError
from .paths import data_dir
from .report import FACTOR_TITLES, JURISDICTION_NAMES, label
from .prose import (OTHER_HEADING, FactWords, assumed_facts, brief_answer_other, brief_answer_us, changes_not_assumed,
                    factor_prose, facts_assumed, grouped_changes, keep_together, other_jurisdiction, place,
                    weighing_prose)
from .yamlfile import line_of, load_file

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


MAX_SUMMARY = 2000  # characters of the use summary the memo shows; the rest is cut with a note


def _prose_spec(template_dirs: list[Path]) -> dict:
    for folder in template_dirs:
        candidate = folder / "facts_prose.yaml"
        if candidate.exists():
            spec = load_file(candidate)
            _check_prose_spec(spec, candidate)
            return spec
    return {"facts": {}, "unknown": "It is not known {{ question }}."}


def _check_prose_spec(spec, path: Path) -> None:
    """A partial or mistyped facts_prose.yaml is one line naming the key, never a crash in every memo."""
    if not isinstance(spec, dict) or not isinstance(spec.get("facts"), dict):
        raise FairuseError(f"{path}: expected a mapping with a 'facts' mapping")
    if not isinstance(spec.get("unknown", ""), str):
        raise FairuseError(f"{path}: 'unknown': expected a sentence with {{question}}")
    for fact, entry in spec["facts"].items():
        where = f"{path}:{line_of(spec['facts'], fact) or ''}: facts.{fact}".replace(":: ", ": ")
        if isinstance(entry, str) or entry is None:
            continue
        if not isinstance(entry, dict):
            raise FairuseError(f"{where}: expected a sentence or a mapping of sentence/values/question")
        unknown = sorted(set(map(str, entry)) - {"sentence", "values", "question"})
        if unknown:
            raise FairuseError(f"{where}: unknown key '{unknown[0]}' (expected sentence, values, question)")
        for key in ("sentence", "question"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise FairuseError(f"{where}.{key}: expected text")
        if entry.get("values") is not None and not isinstance(entry["values"], dict):
            raise FairuseError(f"{where}.values: expected a mapping of value to words")


def _facts_in_words(assessment: Assessment, words) -> tuple[list[str], list[str]]:
    """The statement of facts: each known answer in a sentence; the unknown ones that matter."""
    known = []
    for fact in assessment.rulebase.vocabulary:
        if fact.id in ("use_summary", "assessment_date"):
            continue
        value = assessment.answers.get(fact.id)
        if value is not None:
            known.append(words.sentence(fact.id, value))
    return known, [words.unknown(fact_id) for fact_id in assessment.missing]


def _words(value) -> str:
    if isinstance(value, list):
        return ", ".join(JURISDICTION_NAMES.get(v, str(v)) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


class _Authorities:
    """Collects every authority cited, with the sections citing it."""

    def __init__(self, rulebase):
        self.by_cite = {a.cite: a for a in rulebase.authorities.values()}
        self.by_key = {}  # a reporter citation or docket number -> the authority's own cite
        for cite in sorted(self.by_cite, key=len):
            if self.by_cite[cite].kind != "case":
                continue
            key = _citation_key(cite)
            if key and key not in self.by_key:
                self.by_key[key] = cite
        self.entries: dict[str, dict] = {}

    def cite(self, citation: str, section: str, section_title: str) -> str:
        base = self._base(citation)
        entry = self.entries.setdefault(base, {"cite": keep_together(base), "kind": self._kind(base), "sections": {}})
        entry["sections"][section] = section_title
        return citation

    def _base(self, citation: str) -> str:
        """One entry per authority: a pinpoint, or a precedent named differently, points to the same entry."""
        for cite in sorted(self.by_cite, key=len, reverse=True):
            if citation.startswith(cite):
                return cite
        key = _citation_key(citation)
        return self.by_key.get(key, citation) if key else citation

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


_REPORTER = re.compile(r"\b(\d+ (?:U\.S\.|S\. ?Ct\.|F\.(?: Supp\.)?(?: ?[234]d| ?4th)?|F\. App'x|USPQ2d) \d+)"
                       r"|\b(No\. [\w:.\-]+\d)|\b(\d+ [A-Z]\w* \d+/\d+)")


def _citation_key(citation: str) -> str | None:
    """The part of a citation that names one decision: a reporter cite or a docket number."""
    match = _REPORTER.search(citation)
    return next(g for g in match.groups() if g) if match else None


def build_context(assessment: Assessment, *, to: str = "File", author: str = "fairuse (automated analysis)",
                  template_dirs: list[Path] | None = None, env=None) -> dict:
    """Everything the memo templates need, as plain data (prose before the appendix, numbers in it)."""
    a = assessment
    base = a.rulebase
    template_dirs = template_dirs or [templates_dir()]
    env = env or environment(template_dirs[0] if template_dirs[0] != templates_dir() else None)
    auth = _Authorities(base)
    words = FactWords(_prose_spec(template_dirs), env, base.vocabulary)
    known, _unknown = _facts_in_words(a, words)
    summary = " ".join(str(a.answers.get("use_summary") or "the use described below").split())
    if len(summary) > MAX_SUMMARY:  # a 1 MB summary made the PDF take 27 s
        cut = summary[:MAX_SUMMARY].rsplit(" ", 1)[0]
        summary = f"{cut} … [summary cut: {len(summary) - len(cut):,} more characters in the answers file]"
    names = [JURISDICTION_NAMES.get(j, j) for j in a.jurisdictions]
    firings = {f.rule.id: f for fs in a.trace.values() for f in fs}
    titles = {rid: f.rule.title for rid, f in firings.items()}
    matched = {rid: f.matched for rid, f in firings.items()}
    answers = {k: v for k, v in a.answers.items() if k not in ("use_summary", "assessment_date", "conduct_date")}

    precedents = _precedents_by_factor(a)
    factors = []
    if a.us is not None and a.us.verdict != "not_needed":
        relevant = _facts_per_factor(a)
        for i, (name, f) in enumerate(a.us.factors.items(), 1):
            section = f"factor-{name}"
            reasons = []
            for r in f.reasons:
                reasons.append({**r, "authority": [auth.cite(c, section, f"Factor {i}") for c in r["authority"]],
                                "counted": bool(r.get("weight"))})
            for side in ("for", "against"):
                for p in precedents[name][side]:
                    auth.cite(p["citation_full"], section, f"Factor {i}")
            prose = factor_prose(name, f, titles, matched, words, answers, precedents[name], relevant.get(name, set()),
                                 {rid: firing.rule for rid, firing in firings.items()})
            factors.append({"id": section, "number": i, "name": name, "title": FACTOR_TITLES[name],
                            "text": FACTOR_TEXT[name], "leaning": f.leaning, "score": f.score, "reasons": reasons,
                            "precedents_for": precedents[name]["for"], "precedents_against": precedents[name]["against"],
                            "prose": prose})
    brief = []
    if a.us is not None:
        for r in a.us.not_needed_by:
            for c in r["authority"]:
                auth.cite(c, "brief-answer", "Brief Answer")
        auth.cite("17 U.S.C. § 107", "question", "Question Presented")
        brief += brief_answer_us(a.us, titles)

    others = []
    said_in: dict[str, str] = {}  # a reason's words -> the jurisdiction that first gave them
    for code, res in a.tdm.items():
        section = f"jurisdiction-{code}"
        where = JURISDICTION_NAMES.get(code, code)
        for p in res.provisions:
            for c in p.authority:
                auth.cite(c, section, where)
        for item in (*res.reasons, *res.duties):
            for c in item["authority"]:
                auth.cite(c, section, where)
        lines, reasons = other_jurisdiction(code, res, a.trace.get(code, []), words, answers, said_in)
        reasons = [{**r, "authority": [keep_together(c) for c in r["authority"]]} for r in reasons]
        brief.append(brief_answer_other(code, res))
        others.append({"id": section, "code": code, "name": JURISDICTION_NAMES.get(code, code), "verdict": res.verdict,
                       "heading": OTHER_HEADING.get(res.verdict, res.verdict),
                       "label": label(res.verdict), "words": VERDICT_WORDS.get(res.verdict, res.verdict),
                       "provisions": [p.__dict__ for p in res.provisions], "provision_lines": lines, "reasons": reasons,
                       "duties": res.duties, "notes": res.notes, "steps": res.steps,
                       "not_encoded": res.not_encoded})

    unknown_changes = grouped_changes(changes_not_assumed(a), words)  # an assumed fact's moves: in Facts Assumed
    resting = grouped_changes(flip_known(a), words, answers)
    mitigations = []
    for m in a.mitigations():
        mitigations.append({**m, "authority": [keep_together(auth.cite(c, "mitigations", "Risk Mitigations"))
                                               for c in m["authority"]]})
    notes, seen_notes = [], set()
    for res in a.results.values():
        for n in res.notes:
            if n["note"] not in seen_notes:
                seen_notes.add(n["note"])
                notes.append(n)
    for n in notes:
        for c in n["authority"]:
            auth.cite(c, "caveats", "Caveats")
    unsettled = []
    for code, fs in a.trace.items():
        for f in fs:
            if f.rule.unsettled and f.rule.unsettled not in {u["text"] for u in unsettled}:
                unsettled.append({"rule": f.rule.id, "text": f.rule.unsettled, "jurisdiction": code})
            if f.rule.unverified:
                text = f"Not verified against a primary source: {f.rule.unverified}"
                if text not in {u["text"] for u in unsettled}:
                    unsettled.append({"rule": f.rule.id, "text": text, "jurisdiction": code})
    trace = []
    for code, fs in a.trace.items():
        for firing in fs:
            f = firing.to_dict()
            for c in f["authority"]:
                auth.cite(c, "appendix", "Appendix")
            trace.append({**f, "jurisdiction": code, "concluded_lines": _concluded_lines(f["concluded"]),
                          "short_authority": [_short(c) for c in firing.rule.authority]})

    us = None
    if a.us is not None:
        us = {"verdict": a.us.verdict, "label": label(a.us.verdict), "words": VERDICT_WORDS[a.us.verdict],
              "score": a.us.score, "steps": a.us.steps, "not_needed_by": a.us.not_needed_by,
              "weighing_words": weighing_prose(a.us)}
    table = auth.table()
    return {
        "heading": {"to": to, "from": author, "date": a.as_of.isoformat(), "generated": dt.date.today().isoformat(),
                    "re": summary if len(summary) < 140 else summary[:137].rsplit(" ", 1)[0] + "…"},
        "summary": summary,
        "jurisdiction_names": names,
        "question_tdm": [n for j, n in zip(a.jurisdictions, names) if j != "us"],
        "us": us,
        "brief_answer": brief,
        "factors": factors,
        "chart": chart_svg(a) if a.us is not None else "",
        "others": others,
        "facts_known": known,
        "facts_unknown": [words.unknown(f) for f in a.missing if f not in assumed_facts(a)],
        "missing": [{"id": m, "question": words.question(m), "meaning": base.vocabulary[m].meaning} for m in a.missing],
        "unknown_changes": unknown_changes,
        "resting_on": resting,
        "assumptions": facts_assumed(a, words),
        "disagreements": [{"text": f"{JURISDICTION_NAMES.get(d['jurisdiction'], d['jurisdiction'])}: the answer given for "
                                   f"{d['fact'].replace('_', ' ')} ({_words(d['stated'])}) was applied, but the other "
                                   f"facts imply {' or '.join(_words(v) for v in d['implied'])}."}
                          for d in a.disagreements],
        # the precedents' part is said here only where they decided or kept the verdict
        "precedent_reasoning": (a.analogies["us"].sentence if "us" in a.analogies and a.us is not None
                                and any("precedents decide" in x or "precedents support" in x for x in a.us.steps)
                                else ""),
        "mitigations": mitigations,
        "notes": notes,
        "unsettled": unsettled,
        "precedents": a.precedents,
        "authorities": table,
        "authorities_without_appendix": _without(table, "appendix"),
        "trace": trace,
        "ruleset": {"version": base.version, "stated_as_of": base.stated_as_of.isoformat(), "as_of": a.as_of.isoformat()},
        "disclaimer": NOT_LEGAL_ADVICE,
    }


def _short(citation) -> str:
    """A short form for the appendix (the Table of Authorities has the full citation)."""
    auth = citation.authority
    if not auth.short:
        return str(citation)
    if not citation.pinpoint:
        return auth.short
    return f"{auth.short}, at {citation.pinpoint}" if auth.kind == "case" else f"{auth.short} {citation.pinpoint}"


def _without(table: list[dict], section: str) -> list[dict]:
    """The table of authorities for a format that lacks ``section`` (Markdown has no appendix)."""
    groups = []
    for group in table:
        items = [{**item, "sections": [s for s in item["sections"] if s["id"] != section]} for item in group["items"]]
        items = [item for item in items if item["sections"]]
        if items:
            groups.append({**group, "items": items})
    return groups


def _facts_per_factor(a: Assessment) -> dict[str, set]:
    """The facts each US factor's rules read: what a precedent must share or differ on to bear on it."""
    out: dict[str, set] = {}
    for rule in a.rulebase.active("us", a.as_of):
        if rule.factor:
            out.setdefault(rule.factor, set()).update(f for f in rule.facts_used if f in a.rulebase.vocabulary.facts)
    return out


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
    facts = {k: v for k, v in a.answers.items() if k not in ("use_summary", "assessment_date", "conduct_date", "jurisdictions")}
    ranked = [m for m in rank(facts, cases, a.rulebase) if m.case.jurisdiction == "us"]
    for factor in out:
        for side, finding in (("for", "user"), ("against", "owner")):
            picks = [m for m in ranked if m.case.factors.get(factor) == finding][:2]
            out[factor][side] = [{"name": m.case.name, "citation": m.case.citation,
                                  "citation_full": f"{m.case.name}, {m.case.citation}", "outcome": m.case.outcome,
                                  "similarity": round(m.similarity, 2), "holding": m.case.holding,
                                  "facts": dict(m.case.facts)} for m in picks]
    return out


# ----------------------------------------------------------------------- chart


def chart_svg(a: Assessment) -> str:
    """A small inline SVG: each factor's score from owner (-1) to user (+1), and the verdict."""
    us = a.us
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
                 f'{label(us.verdict)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# ----------------------------------------------------------------------- rendering


MAX_TEMPLATE_NUMBER = 100_000  # the largest number a template may pass to a call, a filter or a repeat


def _sandbox_class():
    """Jinja2's sandbox, bounded: no ``'x' * 10**9``, ``10**10**10``, ``'%09999999d'`` or ``center(10**9)``.

    The sandbox stops attribute escapes and ``range(10**9)``, but not a number
    large enough to exhaust memory through a repeat, a power, a format width or
    a string method; those raise a ``SecurityError`` here (one line, exit 2).
    """
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    def too_big(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_NUMBER

    class BoundedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%"})

        def call_binop(self, context, operator, left, right):
            if operator == "**" and (too_big(right) or (isinstance(right, (int, float)) and right > 64)):
                raise SecurityError("the template raises a number to too high a power")
            if operator == "*" and ((isinstance(left, (str, list, tuple)) and too_big(right))
                                    or (isinstance(right, (str, list, tuple)) and too_big(left))):
                raise SecurityError("the template repeats text too many times")
            if operator == "%" and isinstance(left, str) and re.search(r"\d{6,}", left):
                raise SecurityError("the template formats with too large a width")
            return super().call_binop(context, operator, left, right)

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
            if any(too_big(a) for a in args) or any(too_big(v) for v in kwargs.values()):
                raise SecurityError("the template passes too large a number")
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value):  # '{:>999999999}'.format(1)
            wrapped = super().wrap_str_format(value)
            if wrapped is not None and re.search(r"\d{6,}", str(getattr(value, "__self__", ""))):
                def refuse(*args, **kwargs):
                    raise SecurityError("the template formats with too large a width")
                return refuse
            return wrapped

    return BoundedSandbox


def _bounded_filters(env) -> None:
    from jinja2.exceptions import SecurityError

    def bounded(func):
        def wrapper(*args, **kwargs):
            for value in (*args, *kwargs.values()):
                if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_NUMBER:
                    raise SecurityError("the template passes too large a number to a filter")
            return func(*args, **kwargs)
        for attr in ("jinja_pass_arg",):
            if hasattr(func, attr):
                setattr(wrapper, attr, getattr(func, attr))
        return wrapper

    for name, func in list(env.filters.items()):
        env.filters[name] = bounded(func)


def environment(template_dir: Path | None = None, fmt: str = "html"):
    """A sandboxed Jinja2 environment: the organisation's templates first, then ours.

    Autoescaping follows the memo's format, not a template's file name: every
    template and partial of an HTML or PDF memo escapes (a firm's partial named
    ``cover.txt`` included); Markdown escapes through the ``md`` filter.
    """
    from jinja2 import ChoiceLoader, FileSystemLoader

    loaders = []
    if template_dir is not None:
        if not Path(template_dir).is_dir():
            raise FairuseError(f"--template: {template_dir}: no such directory")
        loaders.append(FileSystemLoader(str(template_dir)))
    loaders.append(FileSystemLoader(str(templates_dir())))
    env = _sandbox_class()(loader=ChoiceLoader(loaders),
                           autoescape=lambda name: name is None or fmt != "md",  # strings: facts_prose sentences
                           trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = _md_escape
    env.filters["words"] = lambda v: str(v).replace("_", " ")
    env.filters["capitalize_first"] = lambda v: str(v)[:1].upper() + str(v)[1:]
    env.filters["md_emphasis"] = _html_emphasis
    _bounded_filters(env)
    return env


def _html_emphasis(text):
    """Escape ``text`` for HTML, then turn the prose's *case names* into italics."""
    from markupsafe import Markup, escape

    return Markup(re.sub(r"\*([^*]+)\*", r"<i>\1</i>", str(escape(text))))


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
    env = environment(template_dir, fmt)
    name = "memo.md.j2" if fmt == "md" else "memo.html.j2"
    try:  # facts_prose.yaml's sentences are templates too: their errors are caught here as well
        context = build_context(assessment, template_dirs=dirs, env=env, **heading)
        text = env.get_template(name).render(**context, for_pdf=(fmt == "pdf"))
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise FairuseError(f"{where}{':' + str(line) if line else ''}: template error: {exc.message}") from None
    except RecursionError:
        raise FairuseError(f"{name}: template error: templates include each other without end") from None
    except (OverflowError, MemoryError) as exc:  # range(10**9) and the like, refused by the sandbox
        raise FairuseError(f"{name}: template error: too large: {exc}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, UnicodeError) as exc:
        raise FairuseError(f"{name}: template error: {type(exc).__name__}: {exc}") from None
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
    if not out.parent.is_dir():
        raise FairuseError(f"{out.parent}: no such directory")
    write_atomic(out, data, force=force)  # no-clobber is atomic there (link-or-fail)
