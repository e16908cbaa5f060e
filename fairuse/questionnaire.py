"""The interactive questionnaire: ask only what matters, explain why, never lose an answer.

Three parts, each usable on its own:

* :func:`load_questions` and :func:`lint_questions` read ``rules/questions.yaml``
  (one block per fact: the question, help citing the authority, plain labels,
  ``ask_if`` / ``skip_if`` conditions over earlier answers).
* :class:`Interview` decides what to ask next: a question is asked only when its
  conditions hold and its answer could still change a verdict or one of its
  parts (a factor's leaning, a provision's status).
* :class:`Session` saves every answer at once, atomically, under the user's data
  directory, so an interrupted or killed run resumes where it stopped.

:func:`run` drives them with questionary prompts on a terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import conditions as cond
from .answers import check_value
from .atomic import write_atomic
from .errors import FairuseError
from .rules import RuleBase
from .yamlfile import Node, load_file

SKIP = object()
BACK = object()
ALWAYS_ASK = ("use_summary", "jurisdictions", "purpose")
ON_REVIEW = ("assessment_date", "conduct_date")  # not asked in the flow (default: today); changeable on the review screen


# ------------------------------------------------------------------ questions as data


@dataclass
class Question:
    fact: str
    question: str
    help: str
    section: str
    section_title: str
    factor: str | None
    choices: dict = field(default_factory=dict)
    ask_if: object = None
    skip_if: object = None
    line: int = 0


def load_questions(base: RuleBase, path: Path | None = None) -> list[Question]:
    path = Path(path) if path else base.root / "questions.yaml"
    data = load_file(path)
    if not isinstance(data, Node) or not isinstance(data.get("sections"), list):
        raise FairuseError(f"{path}: expected a mapping with a 'sections' list")
    domains = cond.Domains({f.id: f.domain for f in base.vocabulary}, {f.id: f.type for f in base.vocabulary}, {})
    out: list[Question] = []
    for section in data["sections"]:
        if not isinstance(section, dict) or "id" not in section or not isinstance(section.get("questions"), list):
            raise FairuseError(f"{path}:{getattr(section, 'line', '?')}: a section needs 'id' and a 'questions' list")
        for raw in section["questions"]:
            line = getattr(raw, "line", 0)
            where = lambda ln=None, fact=raw.get("fact"): f"{path}:{ln or line}: question '{fact}'"  # noqa: E731
            unknown = set(raw) - {"fact", "question", "help", "choices", "ask_if", "skip_if"}
            if unknown:
                raise FairuseError(f"{where()}: unknown key '{sorted(unknown)[0]}'")
            for key in ("fact", "question", "help"):
                if not raw.get(key):
                    raise FairuseError(f"{where()}: '{key}' is required")
            base.vocabulary.require(raw["fact"], where())
            choices = dict(raw.get("choices") or {})
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
            out.append(Question(fact.id, " ".join(str(raw["question"]).split()), " ".join(str(raw["help"]).split()),
                                section["id"], section.get("title", section["id"]), section.get("factor"),
                                choices, ask_if, skip_if, line))
    return out


def lint_questions(base: RuleBase, questions: list[Question]) -> list[str]:
    """Problems: a fact with no question, a fact asked twice."""
    problems = []
    seen: dict[str, int] = {}
    for q in questions:
        if q.fact in seen:
            problems.append(f"question for '{q.fact}' appears twice (lines {seen[q.fact]} and {q.line})")
        seen[q.fact] = q.line
    for fact in base.vocabulary:
        if fact.id not in seen:
            problems.append(f"fact '{fact.id}' has no question")
    return problems


def holds(c, answers: dict, domains: cond.Domains) -> bool:
    """Evaluate an ask_if / skip_if condition; an unanswered fact makes a test false."""
    if c is None:
        return False
    known = {k: set(v) if isinstance(v, list) else {v} for k, v in answers.items() if v is not None}
    return cond.evaluate(c, known, domains)


# ------------------------------------------------------------------ what to ask


class Interview:
    """Decides which question comes next, and how many could still follow."""

    def __init__(self, base: RuleBase, questions: list[Question]):
        self.base = base
        self.questions = questions
        voc = base.vocabulary
        self.domains = cond.Domains({f.id: f.domain for f in voc}, {f.id: f.type for f in voc}, {})

    def wanted(self, answers: dict) -> list[str]:
        return list(answers.get("jurisdictions") or ["us"])

    def applicable(self, q: Question, answers: dict) -> bool:
        if q.ask_if is not None and not holds(q.ask_if, answers, self.domains):
            return False
        return not holds(q.skip_if, answers, self.domains)

    def decisive(self, fact_id: str, answers: dict) -> bool:
        """Could any answer to ``fact_id`` change a verdict, a provision's status or the fair-use score?"""
        if fact_id in ALWAYS_ASK:
            return True
        from .assess import _evaluate, assessment_date, facts_used

        on = assessment_date(answers, None)
        conduct = answers.get("conduct_date") or on
        facts = {k: v for k, v in answers.items()
                 if k not in ("use_summary", "assessment_date", "conduct_date") and k != fact_id}
        fact = self.base.vocabulary[fact_id]
        for code in self.wanted(answers):
            if code not in self.base.jurisdictions:
                continue
            if fact_id not in facts_used(self.base, code, on, conduct):
                continue
            before = _evaluate(self.base, code, facts, on, conduct)[0]
            for value in fact.domain:
                if value == "unknown":
                    continue
                if _matters(before, _evaluate(self.base, code, {**facts, fact_id: value}, on, conduct)[0]):
                    return True
        return False

    def should_ask(self, q: Question, answers: dict) -> bool:
        return self.applicable(q, answers) and self.decisive(q.fact, answers)

    def next_index(self, answers: dict, settled: set) -> int | None:
        """The first question, in order, not yet answered or skipped that could still matter.

        Scanning from the start means a question passed over early, when it could
        not yet change anything, is asked once later answers make it matter.
        """
        for i in range(len(self.questions)):
            q = self.questions[i]
            if q.fact in answers or q.fact in settled:
                continue
            if self.should_ask(q, answers):
                return i
        return None

    def remaining(self, answers: dict, settled: set) -> int:
        """At most how many questions are left (those that could still matter now)."""
        return sum(1 for q in self.questions
                   if q.fact not in answers and q.fact not in settled and self.should_ask(q, answers))


SCORE_STEP = 0.2  # the fair-use score runs from -1 to +1


def _matters(before, after) -> bool:
    """A different verdict, a provision whose status changes, or a real move of the fair-use score."""
    if before.raw_verdict != after.raw_verdict:
        return True
    if hasattr(before, "score"):
        return abs(before.score - after.score) >= SCORE_STEP
    return [(p.id, p.status) for p in before.provisions] != [(p.id, p.status) for p in after.provisions]


# ------------------------------------------------------------------ never lose an answer


def data_dir() -> Path:
    env = os.environ.get("FAIRUSE_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("fairuse", appauthor=False))


class Session:
    """The answers so far, saved after every answer (temporary file, then rename)."""

    def __init__(self, directory: Path | None = None):
        self.dir = Path(directory) if directory else data_dir()
        self.path = self.dir / "session.json"

    def exists(self) -> bool:
        return self.path.exists()

    def save(self, answers: dict, settled: set, history: list) -> None:
        from .answers import to_plain

        state = {"version": 1, "saved": dt.datetime.now().isoformat(timespec="seconds"),
                 "answers": to_plain(answers), "unknown": sorted(settled), "history": list(history)}
        write_atomic(self.path, json.dumps(state, indent=2, ensure_ascii=False))

    def load(self, base: RuleBase) -> tuple[dict, set, list, str | None]:
        """(answers, facts left unknown, history, warning). A corrupt file is kept aside, never fatal."""
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(state, dict) or not isinstance(state.get("answers"), dict):
                raise ValueError("not a fairuse session")
            answers = {}
            for key, value in state["answers"].items():
                value = check_value(base.vocabulary, key, value, str(self.path))
                if value is not None:
                    answers[key] = value
            settled = {f for f in state.get("unknown", []) if f in base.vocabulary}
            history = [f for f in state.get("history", []) if f in base.vocabulary]
            return answers, settled, history, None
        except FileNotFoundError:
            return {}, set(), [], None
        except (ValueError, FairuseError, OSError) as exc:
            aside = self.path.with_name(f"session.corrupt-{int(time.time())}.json")
            try:
                os.replace(self.path, aside)
            except OSError:
                aside = self.path
            return {}, set(), [], (f"the saved session {self.path} could not be read ({exc}); "
                                   f"it was kept as {aside} and a new session starts")

    def finish(self) -> None:
        if self.path.exists():
            os.replace(self.path, self.path.with_name("session.done.json"))


def save_answers(path: Path, answers: dict) -> None:
    """Write answers in the contract's answers format (YAML), atomically."""
    import yaml

    from .answers import to_plain

    text = "# fairuse answers file (fact id: value); absent facts are unknown\n"
    text += yaml.safe_dump(to_plain(answers), sort_keys=False, allow_unicode=True, width=100)
    write_atomic(Path(path), text)


# ------------------------------------------------------------------ the terminal UI


class Prompter:
    """questionary prompts; returns a value, SKIP or BACK. Help is shown in place."""

    HELP, SKIP_CHOICE, BACK_CHOICE = "__help__", "__skip__", "__back__"

    def __init__(self, echo=print):
        self.echo = echo

    def ask(self, q: Question, fact, current=None):
        import questionary
        from questionary import Choice

        while True:
            if fact.type == "multi":
                picked = questionary.checkbox(
                    q.question, choices=[Choice(q.choices.get(v, v), v, checked=(v in (current or ["us"])))
                                         for v in fact.values],
                    instruction="(space selects, Enter confirms; none selected = United States)").unsafe_ask()
                return picked or ["us"]
            if fact.type in ("text", "date"):
                hint = "type ? for why this matters, back for the previous question, Enter to skip"
                reply = questionary.text(f"{q.question}  [{hint}]").unsafe_ask().strip()
                if reply == "?":
                    self.echo(f"  Why this matters: {q.help}")
                    continue
                if reply.lower() == "back":
                    return BACK
                if not reply or reply.lower() == "skip":
                    return SKIP
                if fact.type == "date":
                    try:
                        return dt.date.fromisoformat(reply)
                    except ValueError:
                        self.echo("  Please give a date as YYYY-MM-DD.")
                        continue
                return reply
            if fact.type == "bool":
                options = [Choice("Yes", True), Choice("No", False)]
            else:
                options = [Choice(q.choices.get(v, v.replace("_", " ")), v) for v in fact.values if v != "unknown"]
            options += [Choice("? Why does this matter?", self.HELP), Choice("Skip: leave it unknown", self.SKIP_CHOICE),
                        Choice("Back to the previous question", self.BACK_CHOICE)]
            default = next((o for o in options if o.value == current), None)
            reply = questionary.select(q.question, choices=options, default=default, use_shortcuts=True,
                                       instruction="(arrows or number, Enter)").unsafe_ask()
            if reply == self.HELP:
                self.echo(f"  Why this matters: {q.help}")
                continue
            if reply == self.SKIP_CHOICE:
                return SKIP
            if reply == self.BACK_CHOICE:
                return BACK
            return reply

    def review(self, rows: list[tuple[str, str]]):
        import questionary
        from questionary import Choice

        options = [Choice("Looks right: assess", "__done__")] + [Choice(f"Change: {label}", fact) for fact, label in rows]
        return questionary.select("Review your answers", choices=options,
                                  instruction="(arrows, Enter)").unsafe_ask()


def describe(q: Question, value) -> str:
    if value is None:
        return {"assessment_date": "today", "conduct_date": "the same date"}.get(q.fact, "unknown")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(q.choices.get(v, v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(q.choices.get(value, value))


def run(base: RuleBase, *, session: Session, resume: bool = False, initial: dict | None = None,
        prompter: Prompter | None = None, echo=print) -> dict:
    """Ask the questions; return the answers. Raises KeyboardInterrupt on Ctrl-C (answers are saved)."""
    prompter = prompter or Prompter(echo)
    questions = load_questions(base)
    interview = Interview(base, questions)
    answers: dict = {}
    settled: set = set()
    history: list = []
    if resume:
        answers, settled, history, warning = session.load(base)
        if warning:
            echo(f"fairuse: {warning}")
        elif answers or settled:
            echo(f"Resuming: {len(answers)} answers saved, {len(settled)} left unknown.")
        else:
            echo("No saved session to resume; starting a new one.")
    elif session.exists():
        os.replace(session.path, session.path.with_name("session.previous.json"))
    for key, value in (initial or {}).items():
        answers.setdefault(key, value)
    by_fact = {q.fact: q for q in questions}
    asked = len(history)
    last_section = None
    while True:
        nxt = interview.next_index(answers, settled)
        if nxt is None:
            _leaning_line(base, questions, last_section, answers, echo)
            break
        q = questions[nxt]
        if last_section and q.section != last_section:
            _leaning_line(base, questions, last_section, answers, echo)
        last_section = q.section
        left = interview.remaining(answers, settled)
        echo(f"\n[{q.section_title}] question {asked + 1}, at most {left} left")
        reply = prompter.ask(q, base.vocabulary[q.fact], answers.get(q.fact))
        if reply is BACK:
            if history:
                previous = history.pop()
                answers.pop(previous, None)
                settled.discard(previous)
                asked = max(asked - 1, 0)
                session.save(answers, settled, history)
            else:
                echo("  This is the first question.")
            continue
        if reply is SKIP:
            settled.add(q.fact)
        else:
            answers[q.fact] = reply
        history.append(q.fact)
        asked += 1
        session.save(answers, settled, history)
    while True:  # the review screen
        rows = [(q.fact, f"{q.question} — {describe(q, answers.get(q.fact))}") for q in questions
                if q.fact in answers or q.fact in settled or q.fact in ON_REVIEW]
        choice = prompter.review(rows)
        if choice in (None, "__done__"):
            break
        q = by_fact[choice]
        reply = prompter.ask(q, base.vocabulary[q.fact], answers.get(q.fact))
        if reply is SKIP:
            answers.pop(q.fact, None)
            settled.add(q.fact)
        elif reply is not BACK:
            answers[q.fact] = reply
            settled.discard(q.fact)
        session.save(answers, settled, history)
    return answers


def _leaning_line(base, questions, section, answers, echo) -> None:
    factor = next((q.factor for q in questions if q.section == section and q.factor), None)
    if not factor or "us" not in (answers.get("jurisdictions") or ["us"]):
        return
    from .assess import assess

    result = assess(answers, rulebase=base, sensitivity=False)
    if result.us is None or result.us.verdict == "not_needed":
        return
    f = result.us.factors[factor]
    echo(f"  So far, {factor} (US factor {list(result.us.factors).index(factor) + 1}) leans "
         f"{ {'user': 'toward you', 'owner': 'toward the owner', 'neutral': 'neither way'}[f.leaning] } ({f.score:+.2f}).")
