"""The questions as data: ``rules/questions.yaml`` read, checked and linted.

Every text is shown on a terminal literally: a control sequence in a ruleset's
questions.yaml (a title-setting OSC, a colour) is shown escaped, never sent.

One block per fact: the question, help citing the authority (a general part and
parts per jurisdiction, so a user sees only what concerns the places they
chose), plain labels, ``ask_if`` / ``skip_if`` conditions over earlier answers,
and the flags ``always_ask``, ``review_only`` and ``defeater``. ``define`` says
in plain words what the legal terms of the question and its choices mean (the
same shape as ``help``); ``examples`` gives one short concrete example for each
answer (``true`` / ``false`` for a yes-or-no question). The file's ``terms``
list names the legal terms that need a definition wherever a question or its
choices use them; :func:`lint_questions` checks both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import conditions as cond
from ..errors import FairuseError, closest, shown
from ..rules import FACTORS, RuleBase
from ..safetext import clean
from ..yamlfile import Node, load_file

GENERAL = "general"
KEYS = {"fact", "question", "help", "define", "examples", "choices", "ask_if", "skip_if", "always_ask", "review_only",
        "defeater"}
FLAGS = ("always_ask", "review_only", "defeater")
TOP_KEYS = {"version", "terms", "sections"}


class Questions(list):
    """The questions in the order asked, with the file's list of legal terms that need a definition."""

    terms: tuple = ()
BOOL_LABELS = {True: "Yes", False: "No"}


@dataclass
class Question:
    fact: str
    question: str
    help: list  # [(frozenset of jurisdiction codes, or None for the general part), text]
    section: str
    section_title: str
    factor: str | None
    choices: dict = field(default_factory=dict)
    ask_if: object = None
    skip_if: object = None
    line: int = 0
    always_ask: bool = False
    review_only: bool = False
    define: list = field(default_factory=list)  # the same shape as help
    examples: dict = field(default_factory=dict)  # value -> one short example
    defeater: bool = False  # a fact batch runs assume, which the user can know: asked when it could change a verdict

    def help_for(self, jurisdictions: list | None) -> str:
        """The general help and the parts for ``jurisdictions`` (all parts when None: not chosen yet)."""
        chosen = None if jurisdictions is None else set(jurisdictions)
        parts = [text for codes, text in self.help if codes is None or chosen is None or codes & chosen]
        return " ".join(parts or [text for _, text in self.help])  # nothing for these places yet: all of it

    def define_for(self, jurisdictions: list | None) -> str:
        """The plain definition of the question's terms: the general part and the parts for ``jurisdictions``."""
        chosen = None if jurisdictions is None else set(jurisdictions)
        parts = [text for codes, text in self.define if codes is None or chosen is None or codes & chosen]
        return " ".join(parts)

    def example(self, value) -> str:
        """The example for one answer ('' when there is none)."""
        return self.examples.get(value, "") if not isinstance(value, list) else ""

    def label(self, value) -> str:
        """The words the user picked for ``value`` (the same labels the prompt shows)."""
        if isinstance(value, bool):
            return BOOL_LABELS[value]
        if isinstance(value, list):
            return ", ".join(str(self.choices.get(v, v)) for v in value)
        return str(self.choices.get(value, value))


def _help(raw, where, codes: set, name: str = "help") -> list:
    if isinstance(raw, str) and raw.strip():
        return [(None, clean(" ".join(raw.split())))]
    if not isinstance(raw, dict) or not raw:
        raise FairuseError(f"{where()}: '{name}' must be a text or a mapping of 'general' and jurisdiction codes to text")
    parts = []
    for key, text in raw.items():
        line = raw.line_of(key) if hasattr(raw, "line_of") else None
        if not isinstance(text, str) or not text.strip():
            raise FairuseError(f"{where(line)}: {name} '{key}': expected a text")
        if key == GENERAL:
            parts.append((None, clean(" ".join(text.split()))))
            continue
        names = [c.strip() for c in str(key).split(",")]
        bad = [c for c in names if c not in codes]
        if bad:
            raise FairuseError(f"{where(line)}: {name} key '{key}': '{bad[0]}' is not a jurisdiction "
                               f"(expected 'general' or codes from {', '.join(sorted(codes))})")
        parts.append((frozenset(names), clean(" ".join(text.split()))))
    return parts


def _examples(raw, where, fact) -> dict:
    """``examples:``: a mapping of each answer (true / false for a yes-or-no question) to one short text."""
    if not isinstance(raw, dict) or not raw:
        raise FairuseError(f"{where()}: 'examples' must map each answer to one short example")
    allowed = [True, False] if fact.type == "bool" else [v for v in fact.values]
    out = {}
    words = [str(a).lower() if isinstance(a, bool) else str(a) for a in allowed]
    for value, text in raw.items():
        line = raw.line_of(value) if hasattr(raw, "line_of") else None
        name = str(value).lower() if isinstance(value, bool) else str(value)
        if not any(value == a and type(value) is type(a) for a in allowed):
            raise FairuseError(f"{where(line)}: examples: '{name}' is not an answer of '{fact.id}' (expected "
                               f"{', '.join(words)}){closest(name, words)}")
        if not isinstance(text, str) or not text.strip():
            raise FairuseError(f"{where(line)}: examples '{name}': expected a text")
        out[value] = clean(" ".join(text.split()))
    return out


def _terms(data, path) -> tuple:
    raw = data.get("terms")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
        raise FairuseError(f"{path}:{data.line_of('terms')}: 'terms' must be a list of legal terms (texts)")
    return tuple(" ".join(t.lower().split()) for t in raw)


def load_questions(base: RuleBase, path: Path | None = None) -> Questions:
    path = Path(path) if path else base.root / "questions.yaml"
    data = load_file(path)
    if not isinstance(data, Node) or not isinstance(data.get("sections"), list):
        raise FairuseError(f"{path}: expected a mapping with a 'sections' list")
    unknown = set(data) - TOP_KEYS
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise FairuseError(f"{path}:{data.line_of(key)}: unknown key '{key}' (expected {', '.join(sorted(TOP_KEYS))})")
    domains = cond.Domains({f.id: f.domain for f in base.vocabulary}, {f.id: f.type for f in base.vocabulary}, {})
    codes = set(base.jurisdictions)
    out = Questions()
    out.terms = _terms(data, path)
    for section in data["sections"]:
        if not isinstance(section, dict) or "id" not in section or not isinstance(section.get("questions"), list):
            raise FairuseError(f"{path}:{getattr(section, 'line', '?')}: a section needs 'id' and a 'questions' list")
        for key in ("id", "title", "factor"):
            if section.get(key) is not None and not isinstance(section[key], str):
                raise FairuseError(f"{path}:{section.line_of(key)}: section '{key}': expected text, "
                                   f"got {shown(section[key])}")
        if section.get("factor") is not None and section["factor"] not in FACTORS:
            raise FairuseError(f"{path}:{section.line_of('factor')}: section 'factor': expected one of "
                               f"{', '.join(FACTORS)}{closest(section['factor'], FACTORS)}")
        for raw in section["questions"]:
            line = getattr(raw, "line", 0)
            if not isinstance(raw, dict):
                raise FairuseError(f"{path}:{line or getattr(section, 'line', '?')}: a question must be a mapping")
            where = lambda ln=None, fact=raw.get("fact"): f"{path}:{ln or line}: question '{fact}'"  # noqa: E731
            unknown = set(raw) - KEYS
            if unknown:
                raise FairuseError(f"{where()}: unknown key '{sorted(map(str, unknown))[0]}' (expected {', '.join(sorted(KEYS))})")
            for key in ("fact", "question", "help"):
                if not raw.get(key):
                    raise FairuseError(f"{where()}: '{key}' is required")
            for key in FLAGS:
                if key in raw and not isinstance(raw[key], bool):
                    raise FairuseError(f"{where()}: '{key}' takes true or false")
            if not isinstance(raw["question"], str):
                raise FairuseError(f"{where(raw.line_of('question'))}: 'question': expected text, "
                                   f"got {shown(raw['question'])}")
            base.vocabulary.require(raw["fact"], where())
            if not isinstance(raw.get("choices") or {}, dict):
                raise FairuseError(f"{where(raw.line_of('choices'))}: 'choices': expected a mapping of each value "
                                   f"to its label, got {shown(raw['choices'])}")
            choices = {value: clean(text) if isinstance(text, str) else text
                       for value, text in (raw.get("choices") or {}).items()}
            fact = base.vocabulary[raw["fact"]]
            for value, text in choices.items():
                if value not in fact.values or not isinstance(text, str):
                    raise FairuseError(f"{where()}: choice {value!r} is not a value of '{fact.id}' with a text label")
            if fact.type in ("choice", "multi"):
                missing = [v for v in fact.values if v not in choices and v != "unknown"]
                if missing:
                    raise FairuseError(f"{where()}: no label for value '{missing[0]}'")
            ask_if = cond.parse(raw["ask_if"], domains, where) if raw.get("ask_if") else None
            skip_if = cond.parse(raw["skip_if"], domains, where) if raw.get("skip_if") else None
            define = _help(raw["define"], lambda ln=None: where(ln or raw.line_of("define")), codes, "define") \
                if "define" in raw else []
            examples = _examples(raw["examples"], lambda ln=None: where(ln or raw.line_of("examples")), fact) \
                if "examples" in raw else {}
            out.append(Question(fact.id, clean(" ".join(raw["question"].split())), _help(raw["help"], where, codes),
                                section["id"], clean(section.get("title") or section["id"]), section.get("factor"),
                                choices, ask_if, skip_if, line, bool(raw.get("always_ask")), bool(raw.get("review_only")),
                                define, examples, bool(raw.get("defeater"))))
    return out


def answers_of(q: Question, fact) -> list:
    """The answers a question offers: true and false for a yes-or-no question, else its values but 'unknown'."""
    if fact.type == "bool":
        return [True, False]
    if fact.type in ("choice", "multi"):
        return [v for v in fact.values if v != "unknown"]
    return []


def terms_used(q: Question, terms) -> list[str]:
    """The legal terms from ``terms`` that the question or its choices use (whole words, any case, a plural too)."""
    text = " ".join([q.question, *map(str, q.choices.values())]).lower().replace("-", " ")
    found = []
    for term in terms:
        words = r"[\s-]+".join(re.escape(w) for w in term.replace("-", " ").split())
        if re.search(rf"(?<![a-z]){words}(?:s|es|d|ed|ing)?(?![a-z])", text):
            found.append(term)
    return found


def lint_questions(base: RuleBase, questions: list[Question]) -> list[str]:
    """Errors: a fact with no question, a fact asked twice, an answer without an example, a legal term without a
    definition (``terms`` of the questions file). One line per problem."""
    problems = []
    seen: dict[str, int] = {}
    for q in questions:
        if q.fact in seen:
            problems.append(f"question for '{q.fact}' appears twice (lines {seen[q.fact]} and {q.line})")
        seen[q.fact] = q.line
    for fact in base.vocabulary:
        if fact.id not in seen:
            problems.append(f"fact '{fact.id}' has no question")
    terms = getattr(questions, "terms", None)
    if terms is None:  # a plain list: the terms of the ruleset's own questions file
        terms = load_questions(base).terms
    for q in questions:
        fact = base.vocabulary[q.fact]
        for value in answers_of(q, fact):
            if value not in q.examples or not any(type(k) is type(value) for k in q.examples if k == value):
                shown_value = str(value).lower() if isinstance(value, bool) else value
                problems.append(f"line {q.line}: question '{q.fact}': no example for the answer '{shown_value}' "
                                f"(add it under 'examples')")
        if not q.define:
            used = terms_used(q, terms)
            if used:
                problems.append(f"line {q.line}: question '{q.fact}' uses the legal term '{used[0]}' but has no "
                                f"'define' saying what it means in plain words")
    return problems


def help_gaps(base: RuleBase, questions: list[Question]) -> list[str]:
    """Warnings: help that says nothing for a place whose rules use the fact (that place's users see all of it)."""
    from ..assess import facts_used

    problems = []
    for q in questions:
        if any(codes is None for codes, _ in q.help):
            continue
        covered = set().union(*(codes for codes, _ in q.help))
        for code in sorted(base.jurisdictions):
            if code not in covered and q.fact in facts_used(base, code, base.stated_as_of):
                problems.append(f"line {q.line}: question '{q.fact}': its help says nothing for '{code}', "
                                f"whose rules use the fact (add a '{code}' or 'general' part)")
    return problems


def assumed_facts(base: RuleBase) -> set:
    """The facts some weighing.yaml assumes when unknown (its ``assumptions:``, or a provision's)."""
    out = set()
    for jur in base.jurisdictions.values():
        specs = list(jur.weighing.get("assumptions") or [])
        for prov in (jur.weighing.get("provisions") or {}).values():
            specs += list((prov or {}).get("assumptions") or [])
        out |= {spec["fact"] for spec in specs if isinstance(spec, dict) and "fact" in spec}
    return out


def defeater_gaps(base: RuleBase, questions: list[Question]) -> list[str]:
    """Warnings: an assumed fact never asked in an interview (its question is not marked ``defeater: true``), and
    a question marked ``defeater: true`` whose fact no weighing assumes."""
    assumed = assumed_facts(base)
    problems = []
    for q in questions:
        if q.fact in assumed and not q.defeater:
            problems.append(f"line {q.line}: question '{q.fact}': its fact is assumed when unknown and so never asked "
                            f"in an interview; mark it 'defeater: true' if the user can know it")
        elif q.defeater and q.fact not in assumed:
            problems.append(f"line {q.line}: question '{q.fact}' is marked 'defeater: true' but no weighing.yaml "
                            f"assumes its fact")
    return problems


def holds(c, answers: dict, domains: cond.Domains) -> bool:
    """Evaluate an ask_if / skip_if condition; an unanswered fact makes a test false."""
    if c is None:
        return False
    known = {k: set(v) if isinstance(v, list) else {v} for k, v in answers.items() if v is not None}
    return cond.evaluate(c, known, domains)
