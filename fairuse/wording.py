"""Facts in words: plain sentences for each answer, and the rules' ``application:`` sentences.

``templates/facts_prose.yaml`` (a firm may override it with ``--template DIR``)
gives each fact and value its words; sentences are Jinja2 expressions rendered
in the bounded sandbox (:mod:`fairuse.sandbox`), never ``str.format``. The
analysis uses this module to apply each rule to the facts; the renderers use it
to say facts and moves. Nothing here decides anything.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from .errors import FairuseError
from .yamlfile import line_of, load_text

PLACES = {"us": "the United States", "uk": "the United Kingdom", "eu": "the European Union",
          "jp": "Japan", "cn": "China", "sg": "Singapore"}
_NO_BREAK_AFTER = re.compile(r"(\bv\.|\bDr\.|\bMr\.|\bMs\.|\bSt\.|\bNo\.|\bCal\.|\bCir\.|\bSupp\.|\bJ\.|"
                             r"\bDel\.|\bMass\.|\bN\.D\.|\bS\.D\.|\bU\.S\.C\.|§§|§) ")


def join_words(items: list[str], conjunction: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _common_head(clauses: list[str], least: int = 3) -> tuple[str, list[str]]:
    """The words several clauses open with (at least ``least``, and not all of any clause), and what follows
    them in each; ("", clauses) where they share fewer."""
    words = [c.split() for c in clauses]
    n = 0
    while all(len(w) > n + 1 for w in words) and len({w[n] for w in words}) == 1:
        n += 1
    if len(clauses) < 2 or n < least or any(":" in " ".join(w[:n]) for w in words):
        return "", clauses
    return " ".join(words[0][:n]), [" ".join(w[n:]) for w in words]


def clause(sentence: str) -> str:
    """A sentence as a clause: first letter lowered (unless a name), final stop dropped."""
    text = sentence.strip().rstrip(".")
    if text.endswith(".)"):  # "... (Not verified against a primary source.)": the caller ends the sentence
        text = text[:-2] + ")"
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

    def __init__(self, spec: dict, env, vocabulary, path: Path | None = None):
        self.path = path  # the facts_prose.yaml the words come from (named in an error)
        self.facts = spec.get("facts") or {}
        self.unknown_template = spec.get("unknown", "It is not known {{ question }}.")
        self.subjects = spec.get("user_subject") or {}
        self.acts = spec.get("acts") if isinstance(spec.get("acts"), dict) else {}
        self.paragraphs = [list(group) for group in (spec.get("paragraphs") or []) if isinstance(group, list)]
        self.env = env
        self.vocabulary = vocabulary
        self._compiled: dict[str, object] = {}
        self._context_for: tuple | None = None  # (answers, context): one memo asks for it once per rule

    def _render(self, template: str, where: str = "", **values) -> str:
        """Render in the sandbox; the values are our own words, escaped once by the memo's template, not here.

        A template that fails (a syntax error, or one the bounded sandbox refuses)
        is one line naming ``where``: the file and key (facts_prose.yaml) or rule.
        """
        from jinja2 import TemplateError

        try:
            compiled = self._compiled.get(template)
            if compiled is None:
                compiled = self._compiled[template] = self.env.from_string(str(template))
            return " ".join(compiled.render(**{k: _safe(v) for k, v in values.items()}).split())
        except TemplateError as exc:
            raise FairuseError(f"{where or 'a template'}: template error: {exc.message or exc}") from None
        except RecursionError:
            raise FairuseError(f"{where or 'a template'}: template error: it refers to itself without end") from None
        except (OverflowError, MemoryError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError,
                UnicodeError) as exc:
            raise FairuseError(f"{where or 'a template'}: template error: {type(exc).__name__}: {exc}") from None

    def _where(self, fact_id: str | None = None) -> str:
        path = str(self.path or "facts_prose.yaml")
        if fact_id is None:
            return f"{path}: unknown"
        line = line_of(self.facts, fact_id)
        return f"{path}:{line}: facts.{fact_id}" if line else f"{path}: facts.{fact_id}"

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
            return self._render(entry, self._where(fact_id), value=self.value_words(fact_id, value))
        if isinstance(entry, dict):
            values = entry.get("values") or {}
            if entry.get("sentence"):
                return self._render(entry["sentence"], self._where(fact_id), value=self.value_words(fact_id, value))
            if not isinstance(value, list) and value in values:
                return " ".join(str(values[value]).split())
        return f"As to {self.question(fact_id)}: {self.value_words(fact_id, value)}."

    def either(self, fact_id: str, values: list, condition: bool = False) -> str:
        """One sentence for "``fact_id`` is one of ``values``" (a single sentence, not one per value).

        ``condition``: the sentence follows "If", so where each value has its own sentence they are joined
        "…, or if …" (a value's own commas then do not run into the next one's)."""
        entry = self.facts.get(fact_id)
        if len(values) > 1 and isinstance(entry, (str, dict)) and (isinstance(entry, str) or entry.get("sentence")):
            template = entry if isinstance(entry, str) else entry["sentence"]
            return self._render(template, self._where(fact_id),
                                value=join_words([self.value_words(fact_id, v) for v in values], "or"))
        clauses = [clause(self.sentence(fact_id, v)) for v in values]
        head, rests = _common_head(clauses)
        if head:  # "the public sees none of the works or at most snippets of the works": the shared words once
            return f"{head} {', or '.join(rests) if any(',' in r for r in rests) else join_words(rests, 'or')}"
        if condition and any("," in c or ":" in c for c in clauses):
            return ", or if ".join(clauses)
        return join_words(clauses, "or")

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
        where = f"{getattr(rule, 'file', '')}:{getattr(rule, 'line', '')}: rule '{getattr(rule, 'id', '')}': 'application'"
        return capitalise(self._render(rule.application, where, **context))

    def act(self, act: str) -> str:
        """What an AI act is called ("Training the model")."""
        return str(self.acts.get(act) or act.replace("_", " ").capitalize())

    def question(self, fact_id: str) -> str:
        entry = self.facts.get(fact_id)
        if isinstance(entry, dict) and entry.get("question"):
            return str(entry["question"])
        return f"what the answer is on {fact_id.replace('_', ' ')}"

    def unknown(self, fact_id: str) -> str:
        return self._render(self.unknown_template, self._where(None), question=self.question(fact_id))


def load_wording(vocabulary, template_dir: Path | None = None, env=None) -> FactWords:
    """The words for facts: ``facts_prose.yaml`` from ``template_dir`` (a firm's folder) if it has one, else ours."""
    from .sandbox import environment, templates_dir

    dirs = ([Path(template_dir)] if template_dir else []) + [templates_dir()]
    env = env or environment(template_dir)
    path = next((d / "facts_prose.yaml" for d in dirs if os.path.lexists(d / "facts_prose.yaml")), None)
    return FactWords(_prose_spec(dirs), env, vocabulary, path)


def _prose_spec(template_dirs: list[Path]) -> dict:
    """The first folder's facts_prose.yaml, read only from inside that folder (a link to a file outside it,
    or a FIFO planted there, is one line: see :func:`fairuse.sandbox.read_inside`)."""
    from .sandbox import read_inside
    from .yamlfile import MAX_BYTES

    for folder in template_dirs:
        candidate = folder / "facts_prose.yaml"
        if os.path.lexists(candidate):
            text, _mtime = read_inside(folder, candidate, MAX_BYTES)
            return _read_prose_spec(str(candidate), text)
    return {"facts": {}, "unknown": "It is not known {{ question }}."}


@functools.lru_cache(maxsize=8)
def _read_prose_spec(path: str, text: str) -> dict:
    """facts_prose.yaml parsed and checked once while its text is unchanged (the memo only reads it)."""
    spec = load_text(text, path)
    _check_prose_spec(spec, Path(path))
    return spec


def _check_prose_spec(spec, path: Path) -> None:
    """A partial or mistyped facts_prose.yaml is one line naming the key, never a crash in every memo."""
    if not isinstance(spec, dict) or not isinstance(spec.get("facts"), dict):
        raise FairuseError(f"{path}: expected a mapping with a 'facts' mapping")
    paragraphs = spec.get("paragraphs", [])
    if not isinstance(paragraphs, list) or not all(isinstance(g, list) and all(isinstance(f, str) for f in g)
                                                   for g in paragraphs):
        raise FairuseError(f"{path}:{line_of(spec, 'paragraphs') or ''}: 'paragraphs': expected a list of lists of "
                           f"fact ids".replace(":: ", ": "))
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
