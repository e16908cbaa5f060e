"""The memo's prose: the law applied to these facts, in words a lawyer would sign.

Everything a reader sees before the appendix comes from here or from the
rules' own words (titles, explanations, provision conditions) and
``templates/facts_prose.yaml``: never a rule id, a fact id or a snake_case
value. The numbers (scores, weights) stay in the appendix and the JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACES = {"us": "the United States", "uk": "the United Kingdom", "eu": "the European Union",
          "jp": "Japan", "cn": "China", "sg": "Singapore"}
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
OTHER_VERDICT_PHRASE = {
    "applies": "falls within the exception", "does_not_apply": "falls outside the exception",
    "uncertain": "may or may not fall within the exception: a condition is not yet established",
    "not_needed": "needs no exception",
}
OTHER_HEADING = {"applies": "the exception applies", "does_not_apply": "the exception does not apply",
                 "uncertain": "uncertain", "not_needed": "no exception needed"}
MOVE_WORDS = {"likely_fair": "likely fair", "leaning_fair": "leaning fair", "uncertain": "uncertain",
              "leaning_unfair": "leaning unfair", "likely_unfair": "likely unfair", "not_needed": "no exception needed",
              "applies": "the exception applies", "does_not_apply": "the exception does not apply"}
_SUPREME = re.compile(r"\b\d+ U\.S\. \d+")
_NO_BREAK_AFTER = re.compile(r"(\bv\.|\bDr\.|\bMr\.|\bMs\.|\bSt\.|\bNo\.|\bCal\.|\bCir\.|\bSupp\.|\bJ\.|"
                             r"\bDel\.|\bMass\.|\bN\.D\.|\bS\.D\.|\bU\.S\.C\.|§§|§) ")


def join_words(items: list[str], conjunction: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def clause(sentence: str) -> str:
    """A sentence as a clause: first letter lowered (unless a name), final stop dropped."""
    text = sentence.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and not text.startswith(("A.", "I ")):
        first = text.split(" ", 1)[0]
        if first in ("The", "A", "An", "No", "Most", "Some", "Little", "Stored", "Copies", "Effective",
                     "Using", "Copying", "Taking", "Making", "Commercial", "Creative", "Where", "It", "Its",
                     "More", "Each", "Author", "Terms", "Acknowledging", "Copyright-management"):
            text = text[0].lower() + text[1:]
    return text


def _safe(value):
    """Our own words, marked so the sandbox does not escape them: the memo's template escapes them once."""
    from markupsafe import Markup

    if isinstance(value, str):
        return Markup(value)
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    return value


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def keep_together(citation: str) -> str:
    """No line break inside a case name after an abbreviation ("Dr.⏎Seuss", "v.⏎Goldsmith")."""
    return _NO_BREAK_AFTER.sub(lambda m: m.group(1) + "\u00a0", citation)


def place(code: str) -> str:
    return PLACES.get(code, code)


# ----------------------------------------------------------------------- facts in words


class FactWords:
    """Plain words for each fact and value, from ``facts_prose.yaml``.

    Sentences are Jinja2 expressions rendered in the memo's sandbox, never
    ``str.format``, so a firm's prose file cannot reach outside it.
    """

    def __init__(self, spec: dict, env, vocabulary):
        self.facts = spec.get("facts") or {}
        self.unknown_template = spec.get("unknown", "It is not known {{ question }}.")
        self.subjects = spec.get("user_subject") or {}
        self.cited_in_full: set[str] = set()  # authorities this memo's discussion has cited in full: short forms after
        self.env = env
        self.vocabulary = vocabulary
        self._compiled: dict[str, object] = {}
        self._context_for: tuple | None = None  # (answers, context): one memo asks for it once per rule

    def _render(self, template: str, **values) -> str:
        """Render in the sandbox; the values are our own words, escaped once by the memo's template, not here."""
        compiled = self._compiled.get(template)
        if compiled is None:
            compiled = self._compiled[template] = self.env.from_string(str(template))
        return " ".join(compiled.render(**{k: _safe(v) for k, v in values.items()}).split())

    def value_words(self, fact_id: str, value) -> str:
        entry = self.facts.get(fact_id)
        values = entry.get("values") if isinstance(entry, dict) else None
        if isinstance(value, list):
            if fact_id == "jurisdictions":
                return join_words([place(v) for v in value])
            return join_words([self.value_words(fact_id, v) for v in value])
        if values and value in values and isinstance(entry, dict) and entry.get("sentence"):
            return str(values[value])
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value).replace("_", " ")

    def sentence(self, fact_id: str, value) -> str:
        """One sentence stating that ``fact_id`` is ``value``."""
        entry = self.facts.get(fact_id)
        if isinstance(entry, str):
            return self._render(entry, value=self.value_words(fact_id, value))
        if isinstance(entry, dict):
            values = entry.get("values") or {}
            if entry.get("sentence"):
                return self._render(entry["sentence"], value=self.value_words(fact_id, value))
            if not isinstance(value, list) and value in values:
                return " ".join(str(values[value]).split())
        return f"As to {self.question(fact_id)}: {self.value_words(fact_id, value)}."

    def either(self, fact_id: str, values: list) -> str:
        """One sentence for "``fact_id`` is one of ``values``" (a single sentence, not one per value)."""
        entry = self.facts.get(fact_id)
        if len(values) > 1 and isinstance(entry, (str, dict)) and (isinstance(entry, str) or entry.get("sentence")):
            template = entry if isinstance(entry, str) else entry["sentence"]
            return self._render(template, value=join_words([self.value_words(fact_id, v) for v in values], "or"))
        return join_words([clause(self.sentence(fact_id, v)) for v in values], "or")

    def application_context(self, answers: dict) -> dict:
        """What an ``application:`` template sees (docs/extending.md lists it).

        ``facts``: each known fact's value in plain words ("the whole", "parody");
        ``said``: each known fact as a clause ("the public sees at most snippets of
        the works"); ``answers``: the raw values, to test in ``{% if %}`` only, never
        to print; ``user``: who the user is, as a subject ("the company"). Unknown
        facts are absent, so ``{% if facts.x %}`` guards a sentence that needs one.
        """
        if self._context_for is not None and self._context_for[0] == answers:
            return self._context_for[1]
        known = {k: v for k, v in answers.items() if k in self.vocabulary.facts}
        subjects = self.subjects if isinstance(self.subjects, dict) else {}
        context = {"facts": {k: self.value_words(k, v) for k, v in known.items()},
                   "said": {k: clause(self.sentence(k, v)) for k, v in known.items()},
                   "answers": known,
                   "user": str(subjects.get(known.get("user_kind"), "the user"))}
        self._context_for = (dict(answers), context)
        return context

    def application(self, rule, answers: dict, context: dict | None = None) -> str:
        """A rule's ``application:`` rendered over these facts (empty when it has none, or it says nothing)."""
        if not getattr(rule, "application", None):
            return ""
        context = context if context is not None else self.application_context(answers)
        return capitalise(self._render(rule.application, **context))

    def question(self, fact_id: str) -> str:
        entry = self.facts.get(fact_id)
        if isinstance(entry, dict) and entry.get("question"):
            return str(entry["question"])
        return f"what the answer is on {fact_id.replace('_', ' ')}"

    def unknown(self, fact_id: str) -> str:
        return self._render(self.unknown_template, question=self.question(fact_id))


# ----------------------------------------------------------------------- United States


@dataclass
class FactorProse:
    heading: str
    rule: str
    here: str
    paragraphs: list
    comparison: list
    conclusion: str


def _counted(reasons: list) -> list:
    return sorted((r for r in reasons if r.get("weight")), key=lambda r: -float(r["weight"]))


def factor_prose(name: str, factor, titles: dict, matched: dict, words: FactWords, answers: dict,
                 precedents: dict, relevant: set, rules: dict | None = None) -> FactorProse:
    """The discussion of one factor: rule, application, precedents compared, conclusion."""
    number = FACTOR_NUMBER[name]
    counted = _counted(factor.reasons)
    rules = rules or {}
    # the leading authority: a Supreme Court decision the decisive considerations rest on, else their first case
    deciding = [r for r in counted if r.get("leans") == factor.leaning] or counted
    cites = [(c, r["rule"]) for r in deciding for c in r["authority"]]
    cases = [c for c in cites if " v. " in c[0]]
    leading = next((c for c in cases if _SUPREME.search(c[0])), cases[0] if cases else (cites[0] if cites else None))
    if leading:
        leading_text = _cite_forms(rules.get(leading[1]), [leading[0]], words.cited_in_full)[0]
    # the statute is quoted just above: the rule adds its leading authority
    rule = f"The leading authority on how factor {ORDINAL[number]} applies here is {leading_text}." if leading else ""
    context = words.application_context(answers)
    paragraphs, unapplied = [], []
    # the considerations that decide the factor first, then those weighing the other way
    turned = False
    for r in sorted(counted, key=lambda r: r.get("leans") != factor.leaning):
        applied = words.application(rules[r["rule"]], answers, context) if r["rule"] in rules else ""
        if not applied:
            unapplied.append(r)
        elif any(p["applied"] for p in paragraphs) and applied.startswith("Here, "):
            applied = capitalise(applied[len("Here, "):])  # "Here," once a factor: the rest follow on
        law = r["reason"]
        if not turned and factor.leaning in SIDE and r.get("leans") in SIDE and r.get("leans") != factor.leaning:
            turned = True
            law = f"Against this, {_lower_start(law)}"
        paragraphs.append({"law": law, "applied": applied,
                           "authority": _cite_forms(rules.get(r["rule"]), r["authority"], words.cited_in_full),
                           "leans": r.get("leans"), "unsettled": r.get("unsettled")})
    # a consideration without its own application is applied by the facts it rests on
    seen, clauses = set(), []
    for r in unapplied:
        for fact_id, value in (matched.get(r["rule"]) or {}).items():
            if fact_id in seen or fact_id not in words.vocabulary.facts or fact_id in ("jurisdictions",):
                continue
            seen.add(fact_id)
            clauses.append(clause(words.sentence(fact_id, value)))
    here = f"Here, {join_words(clauses)}." if clauses else ""
    comparison = compare_precedents(name, factor.leaning, precedents, words, answers, relevant)
    conclusion = factor_conclusion(number, factor.leaning, counted, titles)
    return FactorProse(f"Factor {ORDINAL[number]}: {FACTOR_SHORT[name]}", rule, here, paragraphs, comparison,
                       conclusion)


def _cite_forms(rule, texts: list[str], cited: set[str]) -> list[str]:
    """Each authority in full the first time the discussion cites it, in its short form after ("Campbell, at 586")."""
    pairs = [(str(c), c) for c in (rule.authority if rule is not None else ())]
    out = []
    for text in texts:
        c = next((c for s, c in pairs if text == s or text.startswith(s + " [")), None)
        if c is None or not c.authority.short or c.authority.key not in cited:
            if c is not None:
                cited.add(c.authority.key)
            out.append(keep_together(text))
            continue
        auth = c.authority
        short = auth.short if not c.pinpoint else (
            f"{auth.short}, at {c.pinpoint}" if auth.kind == "case" else f"{auth.short} {c.pinpoint}")
        out.append(keep_together(short))
    return out


def factor_conclusion(number: int, leaning: str, counted: list, titles: dict) -> str:
    ordinal = ORDINAL[number]
    if not counted:
        return (f"No rule speaks to factor {ordinal} on the facts given: the facts it turns on are unknown, "
                "so it is treated as neutral.")
    for_side = [r for r in counted if r.get("leans") == leaning]
    against = [r for r in counted if r.get("leans") in ("user", "owner") and r.get("leans") != leaning]
    if leaning == "neutral":
        sides = {side: next((r for r in counted if r.get("leans") == side), None) for side in ("user", "owner")}
        if sides["user"] and sides["owner"]:
            return (f"Factor {ordinal} is therefore neutral: for the user, "
                    f"{_lower(clause(titles.get(sides['user']['rule'], '')))}; for the owner, "
                    f"{_lower(clause(titles.get(sides['owner']['rule'], '')))}; neither prevails.")
        top = [_lower(clause(titles.get(r["rule"], ""))) for r in counted[:2]]
        return f"Factor {ordinal} is therefore neutral: {join_words(top)}, and neither side gains from it."
    main = clause(titles.get(for_side[0]["rule"], "")) if for_side else ""
    text = f"Factor {ordinal} therefore favours {SIDE[leaning]}."
    if main:
        text += f" The decisive consideration: {_lower(main)}."
    if against:
        text += f" Weighing the other way, and outweighed: {_lower(clause(titles.get(against[0]['rule'], '')))}."
    return text


_KEEP_CAPITAL = ("Section ", "Congress", "Courts ", "Before ", "After ", "Ross", "Bartz", "Kadrey", "Warhol", "Sony",
                 "Campbell", "Harper", "Factor ")


def _lower_start(text: str) -> str:
    """A sentence continued after "Against this, ": its first word lowered unless it is a name or a section."""
    first = text.split(" ", 1)[0]
    if text.startswith(_KEEP_CAPITAL) or first == "I" or not (first.isalpha() and (first[1:].islower() or len(first) == 1)):
        return text
    return text[:1].lower() + text[1:]


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


_PAST = [(" is ", " was "), (" are ", " were "), (" has ", " had "), (" have ", " had "), (" copies ", " copied "),
         (" does not ", " did not "), (" do not ", " did not "), (" can ", " could "), (" sees ", " saw "),
         (" serves ", " served "), (" adds ", " added "), (" comments ", " commented "), (" gets ", " got "),
         (" reaches ", " reached "), (" get ", " got "), (" harms ", " harmed "), (" competes ", " competed ")]


def past(text: str) -> str:
    """A present-tense fact clause told of a decided case ("the use is satire" -> "the use was satire")."""
    padded = f" {text} "
    best = min(((padded.find(a), a, b) for a, b in _PAST if padded.find(a) >= 0), default=None)
    if best is None:
        return text
    at, a, b = best
    return (padded[:at] + b + padded[at + len(a):]).strip()


def compare_precedents(factor: str, leaning: str, precedents: dict, words: FactWords, answers: dict,
                       relevant: set) -> list[str]:
    """'As in X, …; unlike Y, where …, here …' for the closest precedents on this factor."""
    out = []
    side = {"user": "for", "owner": "against"}.get(leaning)
    other = {"for": "against", "against": "for"}.get(side)
    ordinal = ORDINAL[FACTOR_NUMBER[factor]]
    if side and precedents.get(side):
        p = precedents[side][0]
        shared = [f for f in sorted(relevant) if f in p["facts"] and answers.get(f) == p["facts"][f]]
        found = f"the court found factor {ordinal} favoured {SIDE[leaning]}"
        if shared:
            clauses = [clause(words.sentence(f, answers[f])) for f in shared[:2]]
            out.append(f"As in {_case(p)}, {join_words(clauses)}; there {found}.")
        else:
            out.append(f"In {_case(p)}, the closest precedent on this factor, {found}.")
    if other and precedents.get(other):
        p = precedents[other][0]
        theirs = "user" if other == "for" else "owner"
        differing = [f for f in sorted(relevant) if f in p["facts"] and f in answers and answers[f] != p["facts"][f]]
        if differing:
            f = differing[0]
            out.append(f"Unlike {_case(p)}, where {past(clause(words.sentence(f, p['facts'][f])))} and the court found "
                       f"factor {ordinal} favoured {SIDE[theirs]}, here {clause(words.sentence(f, answers[f]))}.")
        else:
            # no known fact tells the cases apart: name the fact it turned on that is not known here
            open_facts = [f for f in sorted(relevant) if f in p["facts"] and f not in answers
                          and f in words.vocabulary.facts]
            if open_facts:
                f = open_facts[0]
                out.append(f"{_case(p)}, the strongest authority the other way, found factor {ordinal} favoured "
                           f"{SIDE[theirs]} where {past(clause(words.sentence(f, p['facts'][f])))}; "
                           f"here, it is not known {words.question(f)}.")
            else:
                out.append(f"{_case(p)} found factor {ordinal} favoured {SIDE[theirs]} on facts that, as far as this "
                           "factor goes, do not differ from these; it is the strongest authority the other way.")
    elif not side:
        picks = [precedents[s][0] for s in ("for", "against") if precedents.get(s)]
        if len(picks) == 2:
            def where(p):  # the fact on which the precedent differs from these facts, if one is known
                f = next((f for f in sorted(relevant) if f in p["facts"] and f in answers
                          and answers[f] != p["facts"][f]), None)
                return f", where {past(clause(words.sentence(f, p['facts'][f])))}," if f else ""
            first, second = where(picks[0]), where(picks[1])
            out.append(f"The closest precedents divide on factor {ordinal}: {_case(picks[0])}{first} found it favoured "
                       f"the user, and {_case(picks[1])}{second} the owner.".replace(",,", ","))
    return out


def _case(p: dict) -> str:
    return f"*{keep_together(p['name'])}*"


def brief_answer_us(us, titles: dict) -> list[str]:
    """The US answer and its two or three decisive reasons, each in a sentence."""
    sentences = [f"In the United States, the use {VERDICT_PHRASE[us.verdict]}."]
    if us.verdict == "not_needed":
        sentences += [r["reason"] for r in us.not_needed_by[:2]]
        return sentences
    direction = {"likely_fair": ["user"], "leaning_fair": ["user"], "likely_unfair": ["owner"],
                 "leaning_unfair": ["owner"]}.get(us.verdict, ["user", "owner"])
    ranked = sorted(us.factors.items(), key=lambda kv: -kv[1].weight)
    picked = 0
    for side in direction:
        for name, f in ranked:
            if f.leaning != side or picked >= 3:
                continue
            top = next((r for r in _counted(f.reasons) if r.get("leans") == side), None)
            if top is None:
                continue
            picked += 1
            sentences.append(f"{capitalise(FACTOR_SHORT[name])} (factor {ORDINAL[FACTOR_NUMBER[name]]}) favours "
                             f"{SIDE[side]}: {_lower(clause(titles.get(top['rule'], top['reason'])))}.")
            if len(direction) == 2:
                break
    return sentences


def weighing_prose(us) -> list[str]:
    """The weighing in words: which factors favour whom, and why the answer is as confident as it is."""
    if us.verdict == "not_needed":
        return []
    by_weight = sorted(us.factors.items(), key=lambda kv: -kv[1].weight)
    heavy = {name for name, _ in by_weight[:2]}
    groups: dict[str, list[str]] = {"user": [], "owner": [], "neutral": []}
    for name, f in us.factors.items():
        groups[f.leaning].append(name)
    parts = []
    for leaning in ("user", "owner", "neutral"):
        names = groups[leaning]
        if not names:
            continue
        label = join_words([ORDINAL[FACTOR_NUMBER[n]] for n in names])
        noun = "Factors" if len(names) > 1 else "Factor"
        weighty = heavy.intersection(names)
        note = ""
        if weighty == heavy:
            note = ", which carry the most weight,"
        elif weighty:
            note = f" (factor {ORDINAL[FACTOR_NUMBER[next(iter(weighty))]]} among the weightiest)"
        verb = ("favour" if len(names) > 1 else "favours") if leaning != "neutral" else ("are" if len(names) > 1 else "is")
        tail = SIDE[leaning] if leaning != "neutral" else "neutral"
        parts.append(f"{noun} {label}{note} {verb} {tail}")
    sentences = [capitalise("; ".join(parts[:1] + [p[0].lower() + p[1:] for p in parts[1:]])) + "."]
    for mod in us.modifiers:
        sentences.append(mod["explanation"])
    for step in us.adjustments:
        cause = step["cause"]
        if cause == "unsettled_law":
            sentences.append(f"Because the law this answer rests on is unsettled, it is stated with less confidence "
                             f"({MOVE_WORDS[step['from']]} becomes {MOVE_WORDS[step['to']]}).")
        elif cause == "rule_caps_at_uncertain":
            sentences.append("A consideration the rules treat as open keeps the answer at uncertain.")
        elif cause.startswith("unknown_facts"):
            n = len(step["items"])
            count = NUMBER_WORDS.get(n, str(n))
            sentences.append(f"Because {'an unknown fact' if n == 1 else f'{count} unknown facts'} could "
                             f"{'reverse' if cause.endswith('reverse') else 'change'} it, the answer is stated with less "
                             f"confidence ({MOVE_WORDS[step['from']]} becomes {MOVE_WORDS[step['to']]}).")
    sentences.append(f"Weighed together, the factors mean the use {VERDICT_PHRASE[us.verdict]}.")
    return sentences


# ----------------------------------------------------------------------- other jurisdictions


def brief_answer_other(code: str, res) -> str:
    decisive = ""
    if res.verdict == "applies":
        ok = [p for p in res.provisions if p.status == "applies"]
        decisive = f" ({ok[0].title})" if ok else ""
    elif res.verdict == "does_not_apply":
        unmet = [text for p in res.provisions for text in p.unmet.values()]
        decisive = f"; a condition is not met: {clause(unmet[0])}" if unmet else ""
    elif res.verdict == "uncertain":
        unknown = [text for p in res.provisions for text in p.unknown.values()]
        decisive = f" (not yet established: {clause(unknown[0])})" if unknown else ""
        return f"In {place(code)}, the use may or may not fall within the exception{decisive}."
    return f"In {place(code)}, the use {OTHER_VERDICT_PHRASE.get(res.verdict, res.verdict)}{decisive}."


def provision_lines(res, why: dict | None = None, said_in: dict | None = None, here: str = "") -> list[dict]:
    """Each provision with its conditions and, beside each, the reason the rules gave for it.

    A condition (or a reason) that reads the same in two provisions is said once
    per jurisdiction; a reason already given for an earlier jurisdiction points
    back to it (``said_in`` maps a reason's text to where it was first given).
    ``why`` maps (provision id, condition) to the reason's text, or (provision id,
    condition, met) where the reason depends on whether the condition was met.
    """
    why = why or {}
    said_in = {} if said_in is None else said_in
    shown: set[str] = set()
    out = []
    for p in res.provisions:
        rows = []
        # A provision that fails is explained by what it lacks; its met conditions change nothing.
        kinds = (("not met", p.unmet),) if p.status == "does_not_apply" and p.unmet else (
            ("met", p.met), ("not met", p.unmet), ("unknown", p.unknown))
        for status, items in kinds:
            for condition, text in items.items():
                key = " ".join(str(text).split()).lower()
                if key in shown:
                    continue
                shown.add(key)
                reason = why.get((p.id, condition, status == "met")) or why.get((p.id, condition))
                if reason and reason.lower() in shown:
                    reason = None
                if reason:
                    shown.add(reason.lower())
                    first = said_in.setdefault(reason.lower(), here)
                    if first != here:
                        reason = f"So too in {first}."
                rows.append({"status": status, "text": " ".join(str(text).split()), "why": reason})
        out.append({"title": p.title, "status": p.status.replace("_", " "), "verdict": p.status,
                    "authority": [keep_together(c) for c in p.authority], "conditions": rows})
    return out


def other_jurisdiction(code: str, res, firings: list, words: FactWords, answers: dict,
                       said_in: dict) -> tuple[list[dict], list[dict]]:
    """One other jurisdiction's discussion: each provision's conditions applied to these facts, then the other reasons.

    Where a rule has an ``application:``, its words (the law applied to these
    facts) stand for the rule's general explanation beside the condition it
    decides, and for its reason below the provisions. Returns
    ``(provision lines, reasons)``; a reason's authorities are left to the caller.
    A duty is shown in its own words (the rule's reason is not shown), so it needs no application.
    """
    here = place(code)
    why, explained, applied = {}, set(), {}
    for firing in firings:
        rule = firing.rule
        text = words.application(rule, answers)
        if text:
            applied[rule.id] = text
        then = rule.then
        condition = getattr(then, "condition", None)
        if getattr(then, "duty", None):
            explained.add(rule.id)  # the duty itself is shown, in the rule's own words
        if condition:
            provs = then.provision if isinstance(then.provision, list) else [then.provision]
            for prov in provs:  # keyed by the outcome too: a condition not met is never explained by a rule meeting it
                why.setdefault((prov, condition, bool(getattr(then, "met", False))), text or rule.explanation)
            explained.add(rule.id)
    lines = provision_lines(res, why, said_in, here)
    reasons = []
    for r in res.reasons:
        text = " ".join(applied.get(r["rule"], r["reason"]).split())
        if r["rule"] in explained or said_in.setdefault(text.lower(), here) != here:
            continue
        reasons.append({**r, "reason": text})
    return lines, reasons


# ----------------------------------------------------------------------- facts assumed


def facts_assumed(a, words: FactWords) -> list[dict]:
    """The Facts Assumed section: each stated assumption once, and the defaults the answers file did not state.

    An assumption names every jurisdiction making it, why it is made, and what
    would follow if it failed (the moves "what would change" computed for that
    fact there). Entries: ``{"head", "where", "text"}``, in words, no ids
    ("where": the jurisdictions assuming it, empty for a default).
    """
    out = []
    by_fact: dict[str, dict] = {}
    for x in a.assumptions:
        entry = by_fact.setdefault(x["fact"], {"assumed": x["assumed"], "where": [], "reasons": []})
        if x["jurisdiction"] not in entry["where"]:
            entry["where"].append(x["jurisdiction"])
        reason = " ".join(str(x["reason"]).split())
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)
    for fact_id, entry in by_fact.items():
        moves = [c for c in a.changes if c.fact == fact_id and c.jurisdiction in entry["where"]]
        follow = [s for g in grouped_changes(moves, words) for s in g["sentences"]]
        where = join_words([place(j) for j in entry["where"]])
        if not follow:
            others = [v for v in words.vocabulary[fact_id].domain if v not in (entry["assumed"], "unknown")]
            follow = [f"If {clause(words.either(fact_id, others))}, the answer for {where} would be the same."]
        head = capitalise(clause(words.sentence(fact_id, entry["assumed"])))
        text = f"{' '.join(entry['reasons'])} {' '.join(follow)}"
        out.append({"head": head, "where": where, "text": " ".join(text.split())})
    if "jurisdictions" not in a.answers:
        out.append({"head": "Where the use takes place",
                    "where": "", "text": f"Not stated: assessed under the law of "
                            f"{join_words([place(j) for j in a.jurisdictions])} only."})
    if "conduct_date" not in a.answers:
        out.append({"head": "When the use takes place",
                    "where": "", "text": f"Not stated: taken to be {a.as_of.isoformat()}, the date of the law applied."})
    return out


def assumed_facts(a) -> set[str]:
    """The facts the answer is given assuming (said in Facts Assumed, so not again as unknown)."""
    return {x["fact"] for x in a.assumptions}


def changes_not_assumed(a) -> list:
    """The moves "what would change" lists: those of an assumed fact, where it is assumed, are in Facts Assumed."""
    assumed = {(x["fact"], x["jurisdiction"]) for x in a.assumptions}
    return [c for c in a.changes if (c.fact, c.jurisdiction) not in assumed]


# ----------------------------------------------------------------------- what would change


def grouped_changes(changes: list, words: FactWords, answers: dict | None = None) -> list[dict]:
    """Moves grouped by fact; values that move the verdicts the same way are said together."""
    order: list[str] = []
    by_fact: dict[str, dict] = {}
    for c in changes:
        if c.after == "not_needed":
            continue
        if c.fact not in by_fact:
            order.append(c.fact)
            by_fact[c.fact] = {}
        by_fact[c.fact].setdefault(_key(c.value), (c.value, []))[1].append(c)
    out = []
    for fact_id in order:
        merged: dict[tuple, list] = {}
        for value, moves in by_fact[fact_id].values():
            signature = tuple((m.jurisdiction, m.before, m.after) for m in moves)
            merged.setdefault(signature, []).append(value)
        sentences = []
        for signature, values in merged.items():
            conditions = clause(words.either(fact_id, values))
            moves = join_words([f"in {place(j)} the answer would move from {MOVE_WORDS[b]} to {MOVE_WORDS[a]}"
                                for j, b, a in signature], "and")
            sentences.append(f"If {conditions}, {moves}.")
        out.append({"question": capitalise(words.question(fact_id)), "sentences": sentences,
                    "known": answers is not None and fact_id in answers})
    return out


def _key(value):
    return tuple(value) if isinstance(value, list) else value


__all__ = ["FactWords", "assumed_facts", "brief_answer_us", "brief_answer_other", "changes_not_assumed",
           "facts_assumed", "factor_prose", "grouped_changes", "keep_together", "other_jurisdiction",
           "provision_lines", "weighing_prose"]
