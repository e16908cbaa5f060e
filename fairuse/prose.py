"""Words for an analysis: the sentences the text output, the Markdown and the memo share.

Everything here reads an :class:`~fairuse.analysis.Analysis` and chooses words:
no verdict, unknown fact or list of cases is worked out here (the analysis has
them). A reader never sees a rule id, a fact id or a snake_case value: facts
are said through ``templates/facts_prose.yaml``, rules through their titles,
explanations and ``application:`` sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sandbox import ITALIC
from .vocabulary import ACT_FACTS
from .wording import FactWords, capitalise, clause, join_words, keep_together, place  # noqa: F401

ORDINAL = {1: "one", 2: "two", 3: "three", 4: "four"}
FACTOR_NUMBER = {"purpose": 1, "nature": 2, "amount": 3, "market": 4}
FACTOR_SHORT = {"purpose": "the purpose and character of the use", "nature": "the nature of the works",
                "amount": "the amount used", "market": "the effect on the market"}
SIDE = {"user": "the user", "owner": "the owner"}
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}
VERDICT_PHRASE = {
    "likely_fair": "is likely a fair use", "leaning_fair": "leans toward fair use",
    "uncertain": "may or may not be a fair use: the considerations are closely balanced",
    "leaning_unfair": "leans against fair use", "likely_unfair": "is likely not a fair use",
    "not_needed": "needs no exception",
    "applies": "falls within the exception", "does_not_apply": "falls outside the exception",
}
SHORT_VERDICT = {"likely_fair": "likely fair use", "leaning_fair": "leaning toward fair use", "uncertain": "uncertain",
                 "leaning_unfair": "leaning against fair use", "likely_unfair": "likely not fair use",
                 "not_needed": "no exception needed", "applies": "the exception applies",
                 "does_not_apply": "no exception applies"}
OTHER_HEADING = {"applies": "the exception applies", "does_not_apply": "the exception does not apply",
                 "uncertain": "uncertain", "not_needed": "no exception needed"}
MOVE_WORDS = {"likely_fair": "likely fair", "leaning_fair": "leaning fair", "uncertain": "uncertain",
              "leaning_unfair": "leaning unfair", "likely_unfair": "likely unfair", "not_needed": "no exception needed",
              "applies": "the exception applies", "does_not_apply": "the exception does not apply"}
KIND_TITLES = {"case": "Cases", "statute": "Statutes", "regulation": "Regulations",
               "guidance": "Guidance", "report": "Reports", "licence": "Licences"}


# ----------------------------------------------------------------------- citations


class Citer:
    """Citations as a memo prints them: in full the first time, in short form after; each printed authority
    is recorded, with the sections citing it, for the Table of Authorities (which thus lists only what the
    text cites)."""

    def __init__(self, order: list[str] | None = None, short_forms: bool = True, known: list[str] | None = None,
                 shorts: dict | None = None):
        self.order = {section: i for i, section in enumerate(order or [])}
        self.known = sorted(known or [], key=len, reverse=True)  # authorities' full citations
        self.shorts = shorts or {}  # full citation -> its short form, for citations known only as text
        self.short_forms = short_forms
        self.cited: set[str] = set()
        self.entries: dict[str, dict] = {}
        self.titles: dict[str, str] = {}

    def _norm(self, full: str) -> str:
        full = _STATUS.sub("", full).strip()
        base = next((k for k in self.known if full.startswith(k)), None)  # a pinpoint cites its authority
        if base is not None:
            full = base
        return _citation_key(full) or full

    def cite(self, c, section: str = "", title: str = "") -> str:
        """``c``: a :class:`~fairuse.analysis.Cite`. Returns the words to print."""
        key = self._norm(c.full)
        first = key not in self.cited
        self.cited.add(key)
        text = c.text if (first or not self.short_forms or not c.short) else c.short
        if c.limit:
            text = f"{text} ({c.limit})"
        self._record(c.key, c.full, c.kind, section, title)
        return keep_together(text)

    def cites(self, cs, section: str = "", title: str = "") -> list[str]:
        return compact_pinpoints([self.cite(c, section, title) for c in cs])

    def case(self, comp, section: str = "", title: str = "") -> str:
        """A precedent compared: its name in italics (a citation the first time)."""
        key = self._norm(f"{comp.name}, {comp.citation}")
        first = key not in self.cited
        self.cited.add(key)
        name = comp.short or (comp.name.split(",")[0] if " v. " in comp.name.split(",")[0] else comp.name)
        shown = (comp.name if first else name).replace(ITALIC[0], "").replace(ITALIC[1], "")
        text = f"{ITALIC[0]}{keep_together(shown)}{ITALIC[1]}"
        if first:
            text += f", {keep_together(comp.citation)}"
        if comp.limit:
            text += f" ({comp.limit})"
        self._record(key, f"{comp.name}, {comp.citation}", "case", section, title)
        return text

    def text(self, citation: str, kind: str, section: str = "", title: str = "") -> str:
        """A citation known only as text (a note's, a mitigation's): in full the first time; after that, an
        authority cited without a pinpoint in its short form (its status, said in full once, is not repeated)."""
        self._record(citation, citation, kind, section, title)
        key = self._norm(citation)
        first = key not in self.cited
        self.cited.add(key)
        bare = _STATUS.sub("", citation).strip()
        if not first and self.short_forms and self.shorts.get(bare):
            return keep_together(self.shorts[bare])
        return keep_together(citation)

    def _record(self, key: str, full: str, kind: str, section: str, title: str) -> None:
        if not section:
            return
        key = self._norm(full)
        full = _STATUS.sub("", full).strip()
        full = next((k for k in self.known if full.startswith(k)), full)
        entry = self.entries.setdefault(key, {"cite": keep_together(full), "kind": kind, "sections": {}})
        entry["sections"].setdefault(section, title)
        self.titles.setdefault(section, title)

    def _rank(self):
        first = {k: i for i, k in enumerate(self.titles)}
        return lambda section: (self.order.get(section, len(self.order)), first.get(section, 0))

    def sections(self) -> list[dict]:
        """The sections that cite an authority, each once, in the memo's order."""
        return [{"id": k, "title": self.titles[k]} for k in sorted(self.titles, key=self._rank())]

    def table(self, without: str | None = None) -> list[dict]:
        rank = self._rank()
        groups = []
        for kind, heading in KIND_TITLES.items():
            items = []
            for e in sorted((e for e in self.entries.values() if e["kind"] == kind), key=lambda e: e["cite"].lower()):
                sections = [{"id": k, "title": e["sections"][k]} for k in sorted(e["sections"], key=rank)
                            if k != without]
                if sections:
                    items.append({"cite": e["cite"], "sections": sections})
            if items:
                groups.append({"title": heading, "items": items})
        return groups


_PINPOINT = re.compile(r"^(?P<head>.+), (?P<mark>Art\.|s\.) (?P<pin>\d[\w\-]*(?:\([0-9a-z]+\))*)$")
_PLURAL = {"Art.": "Arts.", "s.": "ss."}


def compact_pinpoints(citations: list[str]) -> list[str]:
    """Consecutive pinpoints to one instrument said once: "DSM Directive, Art. 3; DSM Directive, Art. 2" becomes
    "DSM Directive, Arts. 3 and 2" (in the order cited; the Table of Authorities still lists each)."""
    out: list[str] = []
    groups: list[tuple] = []  # (head, mark, [pins]) or (None, None, [citation])
    for text in citations:
        m = _PINPOINT.match(text)
        if m and groups and groups[-1][0] == m["head"] and groups[-1][1] == m["mark"]:
            groups[-1][2].append(m["pin"])
        elif m:
            groups.append((m["head"], m["mark"], [m["pin"]]))
        else:
            groups.append((None, None, [text]))
    for head, mark, pins in groups:
        if head is None:
            out.append(pins[0])
        elif len(pins) == 1:
            out.append(f"{head}, {mark} {pins[0]}")
        else:
            out.append(f"{head}, {_PLURAL[mark]} {join_words(pins)}")
    return out


_STATUS = re.compile(r" \[[^\]]*status as of [^\]]*\]")
_REPORTER = re.compile(r"\b(\d+ (?:U\.S\.|S\. ?Ct\.|F\.(?: Supp\.)?(?: ?[234]d| ?4th)?|F\. App'x|USPQ2d) \d+)"
                       r"|(?<!Act )\b(No\. [\w:.\-]+\d)|\b(\d+ [A-Z]\w* \d+/\d+)")  # a statute's "Act No." is no docket


def _citation_key(citation: str) -> str | None:
    """The part of a citation that names one decision: a reporter cite or a docket number."""
    match = _REPORTER.search(citation)
    return next(g for g in match.groups() if g) if match else None


# ----------------------------------------------------------------------- small helpers


def _lower(text: str) -> str:
    """A sentence continued after a colon or "because": its first letter lowered, unless a name or a provision."""
    if text.startswith(_KEEP_CAPITAL) or re.match(r"\w+\.? \d", text):  # "Art 24", "Section 107", "s. 29A"
        return text
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


_KEEP_CAPITAL = ("Section ", "Congress", "Courts ", "Before ", "After ", "Ross", "Bartz", "Kadrey", "Warhol", "Sony",
                 "Campbell", "Harper", "Factor ", "Art ", "Article ", "Japan", "China", "Singapore", "EU ", "UK ",
                 "US ", "Getty", "GEMA", "Google", "Grokster", "Cox", "English", "German", "Munich", "Hamburg")


def _lower_start(text: str) -> str:
    """A sentence continued after "Against this, ": its first word lowered unless it is a name or a section."""
    first = text.split(" ", 1)[0]
    if text.startswith(_KEEP_CAPITAL) or first == "I" or not (first.isalpha() and (first[1:].islower() or len(first) == 1)):
        return text
    return text[:1].lower() + text[1:]


_PAST = [(" is ", " was "), (" are ", " were "), (" has ", " had "), (" have ", " had "), (" copies ", " copied "),
         (" does not ", " did not "), (" do not ", " did not "), (" can ", " could "), (" sees ", " saw "),
         (" serves ", " served "), (" adds ", " added "), (" comments ", " commented "), (" gets ", " got "),
         (" reaches ", " reached "), (" get ", " got "), (" harms ", " harmed "), (" competes ", " competed "),
         (" takes ", " took "), (" gains ", " gained "), (" supplies ", " supplied "), (" makes ", " made "),
         (" sells ", " sold "), (" uses ", " used "), (" keeps ", " kept "), (" serve ", " served "), (" play ", " played ")]


def past(text: str) -> str:
    """A present-tense fact clause told of a decided case ("the use is satire" -> "the use was satire")."""
    padded = f" {text} "
    best = min(((padded.find(a), a, b) for a, b in _PAST if padded.find(a) >= 0), default=None)
    if best is None:
        return text
    at, a, b = best
    return (padded[:at] + b + padded[at + len(a):]).strip()


def verdict_words(code: str, verdict: str) -> str:
    if verdict == "uncertain" and code != "us":
        return "may or may not fall within the exceptions: a condition is not yet established"
    return VERDICT_PHRASE.get(verdict, verdict.replace("_", " "))


# ----------------------------------------------------------------------- the Brief Answer


UNCERTAIN_BECAUSE = {  # what made an answer uncertain (its last step there), when it is not a close balance
    "unknown_facts_could_reverse": "may or may not be a fair use: the answer turns on facts not yet known",
    "unknown_either_way": "may or may not be a fair use: the answer turns on facts not yet known",
    "rule_caps_at_uncertain": "may or may not be a fair use: a point the answer turns on is open in the law",
}


def verdict_phrase(r) -> str:
    """The fair-use verdict in words: an answer uncertain for what is not known, not for balance, says so."""
    causes = [s["cause"] for s in r.adjustments if s["to"] == "uncertain"]
    if r.verdict == "uncertain" and causes:
        return UNCERTAIN_BECAUSE.get(causes[-1], VERDICT_PHRASE[r.verdict])
    return VERDICT_PHRASE[r.verdict]


def brief_answer(a, code: str, said: set | None = None) -> list[str]:
    """One jurisdiction's answer, what decides it, and whether an unknown fact could change it.

    ``said``: the factor sentences and splits of authority already set out in this document (for an earlier
    AI act): each is set out once, later referred to ("as above")."""
    r = a.results[code]
    where = place(code)
    if r.kind == "fair_use":
        sentences = [f"In {where}, the use {verdict_phrase(r)}."]
        for d in r.decisive:
            if d.kind == "factor":
                n = FACTOR_NUMBER[d.factor]
                sentence = (f"{capitalise(FACTOR_SHORT[d.factor])} (factor {ORDINAL[n]}) favours "
                            f"{SIDE[d.leans]}: {_lower(clause(d.text))}.")
                if said is not None and sentence in said:  # said for an earlier act: referred to
                    sentences.append(f"Factor {ORDINAL[n]} favours {SIDE[d.leans]}, as above.")
                    continue
                sentences.append(sentence)
                if said is not None:
                    said.add(sentence)
            elif d.kind in ("not_needed", "not_encoded"):
                sentences.append(capitalise(clause(d.why or d.text)) + ".")
        if r.precedent_decided and any(x["cause"] == "precedent_decides" for x in r.adjustments):
            sentences.append("The factors alone leave the answer open; the closest on-point precedents decide it.")
    else:
        sentences = [_brief_other(r, where)]
    for split in r.splits:
        if said is not None and split["text"] in said:
            sentences.append("Courts are divided on a point this answer rests on, as set out above.")
            continue
        sentences.append(f"Courts are divided on a point this answer rests on: {_lower(clause(split['text']))}.")
        if said is not None:
            said.add(split["text"])
    if r.claims:
        sentences.append(_claims_sentence(r.claims))
    if a.could_change(code):
        n = len({c.fact for c in a.changes_for(code) if c.after != "not_needed"})
        sentences.append(f"{'An unknown fact' if n == 1 else 'Unknown facts'} could change this answer "
                         f"(see What Would Change the Outcome).")
    held = a.held_back(code)
    if held:
        sentences.append(f"Until it is known {join_words([a.words.question(f) for f in held])}, this answer is put "
                         f"no higher, though no one of these facts, settled alone, would change it.")
    return sentences


def _claims_sentence(claims: list) -> str:
    """The separate claims beside the answer, each by its rule's title: "In addition, a; b; and c." """
    ordered = sorted(claims, key=lambda c: bool(c.unsettled))  # the claims the law settles first, then the open ones
    parts = [_lower(c.title.rstrip(".")) for c in ordered]
    joined = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + "; and " + parts[-1]
    return f"In addition, {joined}."


def _brief_other(r, where: str) -> str:
    decisive = r.decisive
    if r.verdict == "not_needed":
        why = decisive[0].why if decisive else ""
        return f"In {where}, the use needs no exception{': ' + _lower(clause(why)) if why else ''}."
    if r.not_encoded and not r.provisions:
        return f"In {where}, the answer is uncertain: {_lower(clause(r.not_encoded))}."
    if r.verdict == "applies":
        return f"In {where}, the use falls within {_provision(decisive[0])}."
    if r.verdict == "does_not_apply":
        d = decisive[0] if decisive else None
        if d is None:
            return f"In {where}, the use falls outside the exceptions."
        why = d.why or f"the condition \u201c{clause(d.text)}\u201d is not met"
        return f"In {where}, the use falls outside the exceptions; under {_provision(d)}, {_lower(clause(why))}."
    if decisive and decisive[0].kind == "open_law":
        unmet = next((d for d in decisive if d.kind == "unmet"), None)
        out = f"In {where}, no exception applies"
        if unmet is not None:
            out += f" (under {_provision(unmet)}, {_lower(clause(unmet.why or unmet.text))})"
        return out + f", but the answer is uncertain: {_lower(clause(decisive[0].why or decisive[0].text))}."
    parts = []
    last = None
    for d in decisive[:2]:
        under = "" if _provision(d) == last else f"under {_provision(d)}, "  # the same provision named once
        last = _provision(d)
        if d.kind == "unsettled":
            parts.append(f"{under}{_lower(clause(d.why or d.text))}")
        elif d.kind == "open":
            tail = "" if d.facts else ", and no fact stated here settles it"
            parts.append(f"{under}it is not yet established whether the condition "
                         f"\u201c{clause(d.text)}\u201d is met{tail}")
    if not parts:
        return f"In {where}, whether the use falls within the exceptions is uncertain."
    return f"In {where}, whether the use falls within the exceptions is open: " + "; and ".join(parts) + "."


def _provision(d) -> str:
    title = d.provision_title or d.text
    head, _, rest = title.partition(": ")
    return f"{head} ({rest})" if rest else title


# ----------------------------------------------------------------------- the US discussion


@dataclass
class FactorProse:
    heading: str
    paragraphs: list  # [{law, authority, applied, leans, unsettled}]
    here: str  # the facts the considerations without an application rest on
    comparison: list  # sentences
    conclusion: str


def factor_prose(factor, words: FactWords, citer: Citer, section: str, title: str, answers: dict) -> FactorProse:
    """The discussion of one factor: each counted consideration (the law, its authority, its application
    here), the precedents compared, and a reasoned conclusion."""
    n = factor.number
    paragraphs, unapplied = [], []
    turned = False
    for c in factor.counted:
        law = " ".join(c.law.split())
        if not turned and factor.leaning in SIDE and c.leans in SIDE and c.leans != factor.leaning:
            turned = True
            law = f"Against this, {_lower_start(law)}"
        applied = c.application
        if applied and any(p["applied"] for p in paragraphs) and applied.startswith("Here, "):
            applied = capitalise(applied[len("Here, "):])
        if not applied:
            unapplied.append(c)
        paragraphs.append({"law": law.rstrip(". "), "authority": citer.cites(c.cites, section, title), "applied": applied,
                           "leans": c.leans, "unsettled": c.unsettled})
    seen, clauses = set(), []
    for c in unapplied:
        for fact_id, value in c.matched.items():
            if fact_id in seen or fact_id not in words.vocabulary.facts or fact_id == "jurisdictions":
                continue
            seen.add(fact_id)
            clauses.append(clause(words.sentence(fact_id, value)))
    here = f"Here, {join_words(clauses)}." if clauses else ""
    comparison = [compare_sentence(comp, n, words, citer, section, title, answers) for comp in factor.comparisons]
    return FactorProse(f"Factor {ORDINAL[n]}: {FACTOR_SHORT[factor.name]}", paragraphs, here,
                       [s for s in comparison if s], factor_conclusion(factor))


def compare_sentence(comp, n: int, words: FactWords, citer: Citer, section: str, title: str, answers: dict) -> str:
    """A precedent compared, saying on which fact the uses differ and which way the difference cuts."""
    case = citer.case(comp, section, title)
    found = f"factor {ORDINAL[n]} favoured {SIDE[comp.court_found]}"
    if comp.relation == "as_in":
        if comp.shared:
            facts = join_words([clause(words.sentence(f, answers[f])) for f in comp.shared])
            return f"As in {case}, the court found {found}, and here too {facts}."
        return f"In {case}, the closest precedent on this factor, the court found {found}."
    if comp.relation == "unlike":
        pairs = [(comp.fact, comp.theirs, comp.ours), *comp.more]
        theirs = join_words([past(clause(words.sentence(f, t))) for f, t, _ in pairs])
        ours = join_words([clause(words.sentence(f, o)) for f, _, o in pairs])
        return (f"{case} is distinguishable: the court found {found} where {theirs}; here {ours}, "
                f"{'a difference' if not comp.more else 'differences'} that weigh{'s' if not comp.more else ''} "
                f"for {SIDE[comp.cuts]}.")
    if comp.relation == "open":
        theirs = past(clause(words.sentence(comp.fact, comp.theirs)))
        return (f"{case} found {found} where {theirs}; here it is not known {words.question(comp.fact)}, "
                f"which could bring this use within it.")
    # adverse: the court found this factor for the other side, and nothing known here distinguishes it
    return (f"But see {case}, where the court found {found}; no fact known here distinguishes it, so on this "
            f"factor it is authority for {SIDE[comp.court_found]}.")


def factor_conclusion(factor) -> str:
    ordinal = ORDINAL[factor.number]
    counted = factor.counted
    if not counted:
        return (f"No rule speaks to factor {ordinal} on the facts given: the facts it turns on are unknown, "
                "so it is treated as neutral.")
    if factor.leaning == "neutral":
        sides = {side: next((c for c in counted if c.leans == side), None) for side in ("user", "owner")}
        if sides["user"] and sides["owner"]:
            return (f"Factor {ordinal} is therefore neutral: for the user, {_lower(clause(sides['user'].title))}; "
                    f"for the owner, {_lower(clause(sides['owner'].title))}; neither prevails.")
        top = [_lower(clause(c.title)) for c in counted[:2]]
        return f"Factor {ordinal} is therefore neutral: {join_words(top)}, and neither side gains from it."
    text = f"Factor {ordinal} therefore favours {SIDE[factor.leaning]}."
    if factor.decisive is not None:
        text += f" The decisive consideration: {_lower(clause(factor.decisive.title))}."
    if factor.outweighed is not None:
        text += f" Weighing the other way, and outweighed: {_lower(clause(factor.outweighed.title))}."
    return text


def weighing_prose(a, code: str = "us") -> list[str]:
    """The weighing in words: which factors favour whom, and why the answer is as confident as it is."""
    r = a.results[code]
    if r.verdict == "not_needed" or not r.factors:
        return []
    by_weight = sorted(r.factors.values(), key=lambda f: -f.weight)
    heavy = {f.name for f in by_weight[:2]}
    groups: dict[str, list[str]] = {"user": [], "owner": [], "neutral": []}
    for f in r.factors.values():
        groups[f.leaning].append(f.name)
    parts = []
    for leaning in ("user", "owner", "neutral"):
        names = groups[leaning]
        if not names:
            continue
        label = join_words([ORDINAL[FACTOR_NUMBER[n]] for n in names])
        noun = "Factors" if len(names) > 1 else "Factor"
        weighty = heavy.intersection(names)
        note = ""
        if len(names) == 4:
            parts.append(f"All four factors {'favour ' + SIDE[leaning] if leaning != 'neutral' else 'are neutral'}")
            continue
        if weighty == heavy:
            note = ", which carry the most weight,"
        elif weighty:
            note = f" (factor {ORDINAL[FACTOR_NUMBER[next(iter(weighty))]]} among the weightiest)"
        verb = ("favour" if len(names) > 1 else "favours") if leaning != "neutral" else ("are" if len(names) > 1 else "is")
        tail = SIDE[leaning] if leaning != "neutral" else "neutral"
        parts.append(f"{noun} {label}{note} {verb} {tail}")
    sentences = [capitalise("; ".join(parts[:1] + [p[0].lower() + p[1:] for p in parts[1:]])) + "."]
    for mod in r.modifiers:
        if mod.get("affects"):  # a modifier that changed no consideration here goes unsaid
            sentences.append(" ".join(mod["explanation"].split()))
    sentences += confidence_sentences(a, code)
    sentences.append(f"Weighed together, the factors mean the use {verdict_phrase(r)}.")
    return sentences


def confidence_sentences(a, code: str) -> list[str]:
    """Why the answer is stated as confidently as it is: each adjustment of the verdict, in words."""
    r = a.results[code]
    words = a.words
    out = []
    for step in r.adjustments:
        cause, moved = step["cause"], f"({MOVE_WORDS.get(step['from'], step['from'])} becomes " \
                                      f"{MOVE_WORDS.get(step['to'], step['to'])})"
        if cause == "unsettled_law":
            out.append(f"Because the law this answer rests on is unsettled, it is stated with less confidence {moved}.")
        elif cause == "rule_caps_at_uncertain":
            out.append("A consideration the law treats as open keeps the answer at uncertain.")
        elif cause == "unknown_either_way":
            questions = join_words([words.question(f) for f in step["items"]])
            out.append(f"It is not known {questions}; whichever way that is settled, the use "
                       f"{VERDICT_PHRASE[step['to']]}, and until it is, the answer is put no higher {moved}.")
        elif cause in ("unknown_facts_could_change", "unknown_facts_could_reverse"):
            n = len(step["items"])
            count = "an unknown fact" if n == 1 else f"{NUMBER_WORDS.get(n, str(n))} unknown facts"
            verb = "reverse" if cause.endswith("reverse") else "change"
            bare = join_words([f"{FACTOR_SHORT[f]} (factor {ORDINAL[FACTOR_NUMBER[f]]})"
                               for f in step.get("bare_factors") or []])
            silent = f", and nothing known bears on {bare}," if bare else ","
            if a.held_back(code):  # no single one changes the answer shown: the Brief Answer names them
                named = "a fact the Brief Answer names is" if n == 1 else \
                    f"{NUMBER_WORDS.get(n, str(n))} facts the Brief Answer names are"
                alone = "any one of them" if n > 1 else "it"
                out.append(f"While {named} not known{silent} the answer is stated with less confidence {moved}; "
                           f"settling {alone} alone would not change it, since "
                           f"{'the others' if n > 1 else 'other facts'} would still be unknown.")
                continue
            out.append(f"Because {count} could {verb} it (see What Would Change the Outcome){silent} the answer is "
                       f"stated with less confidence {moved}.")
        elif cause == "precedents_support":
            out.append("Unknown facts could reverse the answer, but the closest on-point precedents reach the same "
                       "result, so it stands.")
        elif cause == "precedent_decides":
            out.append(f"The factors leave the answer in balance; the closest on-point precedents decide it {moved}.")
    return out


# ----------------------------------------------------------------------- other jurisdictions


def other_jurisdiction(r, citer: Citer, section: str, title: str, said_in: dict) -> tuple[list[dict], list[dict]]:
    """Each provision with its conditions and, beside each, the rule applied to these facts; then the other
    reasons. A reason already given (in this jurisdiction or an earlier one) is not said again."""
    here = place(r.code)
    shown: set[str] = set()
    lines = []
    # A provision that fails on its `purpose` condition (the kind of use it serves: quotation, news
    # reporting, criticism) is not in point: the memo leaves it out (the JSON and the trace keep it).
    off_point = [p for p in r.provisions if p.status == "does_not_apply"
                 and any(c.name == "purpose" and c.status == "unmet" for c in p.conditions)]
    for p in r.provisions:
        if p in off_point:
            continue
        rows = []
        wanted = ("unmet",) if p.status == "does_not_apply" and any(c.status == "unmet" for c in p.conditions) \
            else ("met", "unmet", "unknown")
        for c in (c for c in p.conditions if c.status in wanted):
            key = c.text.lower()
            if key in shown:
                continue
            shown.add(key)
            why = next((w.application or w.law for w in c.why), "")
            if why:
                why = " ".join(why.split())
                first = said_in.setdefault(why.lower(), here)
                if why.lower() in shown:
                    why = ""
                elif first != here:
                    why = f"So too in {first}."
                else:
                    shown.add(why.lower())
            status = {"met": "met", "unmet": "not met", "unknown": "unknown"}[c.status]
            rows.append({"status": f"{status}, though the point is unsettled" if c.unsettled else status,
                         "text": c.text, "why": why})
        lines.append({"title": p.title, "status": p.status.replace("_", " "), "verdict": p.status,
                      "authority": citer.cites(p.cites, section, title), "conditions": rows})
    reasons = []
    for c in r.reasons:
        text = " ".join((c.application or c.law).split())
        if said_in.setdefault(text.lower(), here) != here or text.lower() in shown:
            continue
        shown.add(text.lower())
        reasons.append({"reason": text, "authority": citer.cites(c.cites, section, title),
                        "unsettled": c.unsettled, "unverified": c.unverified})
    return lines, reasons


# ----------------------------------------------------------------------- facts


@dataclass(frozen=True)
class _Said:
    text: str


def facts_paragraphs(a, words: FactWords) -> list[str]:
    """The statement of facts as a few paragraphs: the facts stated, grouped as ``facts_prose.yaml``'s
    ``paragraphs`` group them (who and why; the works; the copies; how much; the market; the AI details)."""
    stated = {f.id: f.value for f in a.facts if f.provenance == "stated"}
    if len(a.acts) > 1:  # every act is assessed: one sentence names them (not "the act assessed is …")
        first = next((k for k in stated if k in ACT_FACTS), None)
        if first:
            acts = join_words([words.act(act).lower() for act, _ in a.acts])
            stated = {k: v for k, v in stated.items() if k not in ACT_FACTS or k == first}
            stated[first] = _Said(f"The acts assessed, each on its own, are {acts}.")
    groups = words.paragraphs or [list(stated)]
    placed: set = set()
    out = []

    def sentence(fact_id, value):
        return value.text if isinstance(value, _Said) else words.sentence(fact_id, value)

    for group in groups:
        sentences = [sentence(fact_id, stated[fact_id]) for fact_id in group if fact_id in stated]
        placed.update(group)
        if sentences:
            out.append(" ".join(sentences))
    rest = [sentence(fact_id, value) for fact_id, value in stated.items()
            if fact_id not in placed and fact_id not in ("use_summary", "assessment_date")]
    if rest:
        out.append(" ".join(rest))
    return out


def unknown_facts(a, words: FactWords) -> list[str]:
    """The unknown facts that matter and are not assumed (Facts Assumed says those)."""
    assumed = {f.id for f in a.facts if f.provenance == "assumed"}
    return [words.unknown(fact_id) for fact_id in a.missing if fact_id not in assumed
            and any(c.kind == "unknown" for c in a.changes if c.fact == fact_id)]


def facts_assumed(a, words: FactWords) -> list[dict]:
    """Each stated assumption once: what is assumed, where, why, and what would follow if it failed.

    Every assumption listed is one whose failure would change an answer (the
    analysis lists no other); a default the answers did not state comes last.
    """
    out = []
    for f in a.facts:
        if f.provenance == "assumed":
            moves = [c for c in a.changes if c.fact == f.id and c.kind == "assumed"]
            follow = [s for g in grouped_changes(moves, words) for s in g["sentences"]]
            where = join_words([place(j) for j in f.jurisdictions])
            head = capitalise(clause(words.sentence(f.id, f.value)))
            out.append({"head": head, "where": where, "text": " ".join(f"{f.reason} {' '.join(follow)}".split())})
    for f in a.facts:
        if f.provenance == "default":
            if f.id == "ai_stage":
                head = f"Which act the main answer covers: {words.act(f.value).lower()}"
            else:
                head = {"jurisdictions": "Where the use takes place",
                        "conduct_date": "When the use takes place"}.get(f.id, capitalise(words.question(f.id)))
            out.append({"head": head, "where": "", "text": f.reason})
    return out


MANY = 6  # answers to one question said in full; past this, the first three and a count


def grouped_changes(changes: list, words: FactWords) -> list[dict]:
    """Moves grouped by fact; values that move the answers the same way are said together."""
    order: list[str] = []
    by_fact: dict[str, dict] = {}
    for c in changes:
        if c.after == "not_needed":
            continue
        if c.fact not in by_fact:
            order.append(c.fact)
            by_fact[c.fact] = {}
        for value in c.values:
            by_fact[c.fact].setdefault(_key(value), (value, []))[1].append(c)
    out = []
    for fact_id in order:
        merged: dict[tuple, list] = {}
        for value, moves in by_fact[fact_id].values():
            signature = tuple((m.jurisdiction, m.before, m.after) for m in moves)
            merged.setdefault(signature, []).append(value)
        sentences = []
        for signature, values in merged.items():
            if len(values) > MANY:  # a long list of answers: the first few, and how many more
                conditions = (clause(words.either(fact_id, values[:3], condition=True)) +
                              f", or any of {len(values) - 3} other answers to that question")
            else:
                conditions = clause(words.either(fact_id, values, condition=True))
            same: dict = {}  # the same move in several places is said once, for all of them
            for j, b, a in signature:
                same.setdefault((b, a), []).append(place(j))
            moves = join_words([f"in {join_words(where)} the answer would move from {MOVE_WORDS[b]} to "
                                f"{MOVE_WORDS[a]}" for (b, a), where in same.items()], "and")
            sentences.append(f"If {conditions}, {moves}.")
        out.append({"question": capitalise(words.question(fact_id)), "sentences": sentences})
    return out


CLAIM_KINDS = {  # what a separate claim is for, by its rule's tag (rules tagged separate_claim)
    "licence_conditions": "for breaking an open licence's conditions",
    "rights_management": "for removing rights-management information",
}


def open_claims_sentence(a) -> str:
    """One paragraph: the unknown facts on which separate claims turn (over every act, each once), and the
    claims some answers to them would bring, by kind and place; "" where none is open."""
    claims = {(c.jurisdiction, c.rule): c for _act, sub in a.every_act() for c in sub.open_claims
              if set(c.facts) - set(ACT_FACTS)}
    if not claims:
        return ""
    # the questions in the order the claims' conditions ask them (the licence before its conditions), then the rest
    first = [f for c in claims.values() for f in c.example]
    order = {f: i for i, f in enumerate(dict.fromkeys([*first, *(f.id for f in a.words.vocabulary)]))}
    facts = sorted({f for c in claims.values() for f in c.facts if f not in ACT_FACTS}, key=order.__getitem__)
    places: dict = {}  # kind -> the jurisdictions where it is open
    for c in claims.values():
        for kind in c.kinds or ("",):
            places.setdefault(kind, {})[c.jurisdiction] = None
    by_places: dict = {}  # the same places said once for every kind open there
    for kind, where in places.items():
        by_places.setdefault(tuple(where), []).append(CLAIM_KINDS.get(kind, "of their own"))
    everywhere = set(a.jurisdictions) | {j for _act, sub in a.every_act() for j in sub.jurisdictions}
    said = [f"{join_words(kinds)} " + ("in every jurisdiction assessed" if set(where) == everywhere and len(where) > 1
                                       else f"in {join_words([place(j) for j in where])}")
            for where, kinds in by_places.items()]
    return (f"It is not known {join_words([a.words.question(f) for f in facts], 'or')}: some answers would bring "
            f"separate claims {'; and '.join(said)}, without changing the answers above.")


def _key(value):
    return tuple(value) if isinstance(value, list) else value


def disagreement_sentence(d: dict, words: FactWords) -> str:
    """A stated answer the other facts contradict, in the facts' own words."""
    where = place(d["jurisdiction"])
    return (f"For {where}, the answers state that {clause(words.sentence(d['fact'], d['stated']))}, and that answer "
            f"was applied; the other facts given imply instead that {clause(words.either(d['fact'], d['implied']))}.")


__all__ = ["Citer", "FactWords", "brief_answer", "compare_sentence", "confidence_sentences", "facts_assumed",
           "facts_paragraphs", "factor_prose", "grouped_changes", "keep_together", "open_claims_sentence",
           "other_jurisdiction", "unknown_facts", "weighing_prose"]
_ = re
