"""What a server process loads once and every request uses: the rules, the questions, the casebook, the words.

The web layer parses and presents; the work is the same library calls the CLI
makes (:func:`fairuse.answers.validate`, :func:`fairuse.analysis.analyse`,
:func:`fairuse.memo.render`, :func:`fairuse.casebook.similar`), so a request gets
exactly what ``fairuse assess --format json`` or ``fairuse memo`` gives for the
same answers. The analysis is deterministic for the same answers, rules and date,
so the last few hundred JSON results are kept (bounded: memory stays flat).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from pathlib import Path

from ..errors import FairuseError

CACHED_RESULTS = 256


class BadRequest(FairuseError):
    """A request whose body or parameters are not what was expected: one line, status 400 or 422."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


class Service:
    """The loaded rules, questions, casebook and words of one server process."""

    def __init__(self, rules: Path | None = None, casebook: Path | None = None):
        from ..assess import DEFAULT_CASEBOOK, load_cases
        from ..questionnaire import Interview, load_questions
        from ..rules import load_rulebase
        from ..wording import load_wording

        self.base = load_rulebase(rules)
        self.questions = load_questions(self.base)
        self.by_fact = {q.fact: q for q in self.questions}
        self.interview = Interview(self.base, self.questions)
        self.words = load_wording(self.base.vocabulary)
        self.casebook = DEFAULT_CASEBOOK if casebook is None else Path(casebook)
        self.cases = load_cases(self.base, self.casebook)
        self.lock = threading.RLock()  # the analysis and the questionnaire: one at a time per process
        self.pdf_lock = threading.Lock()  # WeasyPrint: one PDF at a time per process
        self._results: OrderedDict = OrderedDict()
        self._kept = threading.Lock()

    # ------------------------------------------------------------ requests

    def parse(self, body: bytes, name: str = "request body") -> dict:
        """The answers in a JSON request body, validated as an answers file is (the same one-line messages)."""
        from ..answers import validate

        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_no_constant) if body.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequest(f"{name}: not JSON ({str(exc)[:120]}); expected an object of fact id to value",
                             400) from None
        except RecursionError:
            raise BadRequest(f"{name}: nested too deeply", 400) from None
        if isinstance(data, dict) and isinstance(data.get("answers"), dict) and len(data) == 1:
            data = data["answers"]  # {"answers": {...}} is accepted too
        try:
            return validate(self.base.vocabulary, data, name)
        except FairuseError as exc:
            raise BadRequest(str(exc)) from None

    def as_of(self, text: str | None) -> dt.date | None:
        if text is None or text == "":
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"as_of: expected a date YYYY-MM-DD, got {text[:40]!r}") from None

    def analyse(self, answers: dict, as_of: dt.date | None = None):
        from ..analysis import analyse

        with self.lock:
            return analyse(answers, rulebase=self.base, as_of=as_of, casebook=self.cases, words=self.words)

    def assess_json(self, answers: dict, as_of: dt.date | None = None) -> bytes:
        """``fairuse assess --format json`` for these answers, as bytes (the last few kept)."""
        from ..answers import to_plain
        from ..report import to_json

        key = (json.dumps(to_plain(answers), sort_keys=True, default=str), as_of, dt.date.today())
        with self._kept:  # a kept result never waits for another request's assessment
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
                return hit
        analysis = self.analyse(answers, as_of)
        with self.lock:
            data = (to_json(analysis) + "\n").encode("utf-8")
        with self._kept:
            self._results[key] = data
            while len(self._results) > CACHED_RESULTS:
                self._results.popitem(last=False)
        return data

    def memo(self, answers: dict, fmt: str, as_of: dt.date | None = None, appendix: bool = False) -> bytes:
        """``fairuse memo`` for these answers in ``fmt`` (html, pdf or md)."""
        from .. import memo

        self.memo_format(fmt)
        analysis = self.analyse(answers, as_of)
        if fmt != "pdf":
            with self.lock:
                return memo.render(analysis, fmt, appendix=appendix)
        return self.pdf(analysis, appendix)

    @staticmethod
    def memo_format(fmt: str) -> None:
        """A memo format the memo renders (html, pdf or md), else one line (422)."""
        from ..memo.templating import FORMATS

        if fmt not in FORMATS:
            raise BadRequest(f"format: expected html, pdf or md, got {fmt[:20]!r}")

    def pdf(self, analysis, appendix: bool = False) -> bytes:
        """The memo as PDF: the process's WeasyPrint, loaded once and kept (fetching nothing)."""
        from .. import memo

        with self.pdf_lock:
            return memo.render(analysis, "pdf", appendix=appendix)

    def similar(self, answers: dict, top: int = 5, as_of: dt.date | None = None) -> list[dict]:
        """``fairuse casebook similar`` for these answers: the closest precedents, for and against."""
        from ..casebook import similar

        if not 1 <= top <= 100:
            raise BadRequest(f"top: expected a number from 1 to 100, got {top}")
        with self.lock:
            return similar(answers, self.cases, self.base, top, as_of)

    def facts(self, jurisdiction: str | None = None) -> list[dict]:
        """``fairuse facts --format json``: the vocabulary, each fact with its question and answers in words."""
        from ..questionnaire.catalogue import catalogue

        try:
            return catalogue(self.base, jurisdiction)
        except FairuseError as exc:
            raise BadRequest(str(exc).replace("--jurisdiction", "jurisdiction")) from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")
