"""The questionnaire, driven through a real pseudo-terminal (pexpect), and its question lint."""

import json
import os
import signal
import sys

import pexpect
import pytest

from fairuse.errors import FairuseError
from fairuse.questionnaire import Interview, Session, lint_questions, load_questions

from conftest import ROOT

SELECT = r"\(arrows or number, Enter\)"
TEXT = r"\[type \? for why"
CHECKBOX = r"\(space selects"
REVIEW = "Review your answers"
UP = "\x1b[A"


def spawn(tmp_path, *args):
    env = {**os.environ, "FAIRUSE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), "TERM": "xterm",
           "COLUMNS": "160", "LINES": "50"}
    child = pexpect.spawn(sys.executable, ["-m", "fairuse", "assess", *map(str, args)], env=env, encoding="utf-8",
                          timeout=60, dimensions=(50, 160), cwd=str(tmp_path))
    child.logfile_read = open(tmp_path / "screen.log", "a")
    return child


def pick(child, ups: int) -> None:
    """Move up from the first choice (the list wraps: 1 = back, 2 = skip, 3 = help) and confirm."""
    for _ in range(ups):
        child.send(UP)
    child.send("\r")


def answer_all(child, summary="A test use", on_select=None):
    """Answer every prompt with its first choice (or a hook), then accept the review screen."""
    count = 0
    while True:
        i = child.expect([SELECT, TEXT, CHECKBOX, REVIEW])
        if i == 3:
            child.send("\r")
            return count
        count += 1
        if i == 1:
            child.send(summary + "\r")
        elif i == 2:
            child.send("\r")
        else:
            question = child.before.splitlines()[-1] if child.before else ""
            if on_select and on_select(child, question):
                continue
            child.send("\r")


def json_result(child):
    child.expect(pexpect.EOF)
    text = child.before
    return json.loads(text[text.index("{"):])


def test_full_run_to_a_verdict_and_saved_answers_reproduce_it(tmp_path, cli):
    child = spawn(tmp_path, "--format", "json", "--save-answers", tmp_path / "mine.yaml")
    asked = answer_all(child)
    result = json_result(child)
    child.close()
    assert child.exitstatus == 0 and asked >= 3
    assert result["us"]["verdict"] in {"likely_fair", "leaning_fair", "uncertain", "leaning_unfair",
                                       "likely_unfair", "not_needed"}
    saved = tmp_path / "mine.yaml"
    assert saved.exists()
    again = cli("assess", "--answers", saved, "--format", "json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["us"] == result["us"]


def test_help_and_back(tmp_path):
    child = spawn(tmp_path, "--format", "json")
    child.expect(TEXT)
    child.send("?\r")
    child.expect("Why this matters: Your description is quoted")
    child.expect(TEXT)
    child.send("Indexing books\r")
    child.expect(CHECKBOX)
    child.send("\r")
    child.expect("main purpose of the use")
    child.expect(SELECT)
    pick(child, 3)  # help
    child.expect("Why this matters: Purpose is central")
    child.expect(SELECT)
    child.send("3\r")  # shortcut 3: Building a search index
    child.expect(r"question 4")
    child.expect(SELECT)
    pick(child, 1)  # back
    child.expect("main purpose of the use")  # the previous question again
    child.expect(SELECT)
    child.send("\r")  # this time: Training an AI model
    child.expect("Training an AI model")
    child.expect(r"question 4")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    session = json.loads((tmp_path / "data" / "session.json").read_text())
    assert session["answers"]["purpose"] == "ai_training"


def test_skip_leaves_a_fact_unknown_and_missing_names_it(tmp_path):
    skipped = []

    def skip_commercial(child, question):
        screen = child.before.split("question")[-1]
        if "Is the use commercial" in screen and not skipped:
            skipped.append(True)
            pick(child, 2)
            return True
        if "licence or permission" in screen:
            child.send("\x1b[B\r")  # No: otherwise no exception would be needed at all
            return True
        return False

    child = spawn(tmp_path, "--format", "json")
    answer_all(child, on_select=skip_commercial)
    result = json_result(child)
    assert skipped
    assert "commercial" in result["missing"]


def _answer_first(child, n):
    child.expect(TEXT)
    child.send("Resumable use\r")
    child.expect(CHECKBOX)
    child.send("\r")
    for _ in range(n):
        child.expect(SELECT)
        child.send("\r")
    child.expect(SELECT)  # waiting at the next question


def _session(tmp_path):
    return json.loads((tmp_path / "data" / "session.json").read_text())


def test_ctrl_c_then_resume_keeps_every_answer(tmp_path):
    child = spawn(tmp_path, "--format", "json", "--save-answers", tmp_path / "a.yaml")
    _answer_first(child, 3)
    child.sendcontrol("c")
    child.expect("fairuse assess --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    before = _session(tmp_path)["answers"]
    assert before["use_summary"] == "Resumable use" and len(before) >= 4
    child = spawn(tmp_path, "--resume", "--format", "json", "--save-answers", tmp_path / "a.yaml")
    child.expect("Resuming")
    answer_all(child)
    json_result(child)
    import yaml
    final = yaml.safe_load((tmp_path / "a.yaml").read_text())
    for key, value in before.items():
        assert final[key] == value
    assert not (tmp_path / "data" / "session.json").exists()  # finished sessions are put away


def test_kill_9_loses_at_most_the_current_question(tmp_path):
    child = spawn(tmp_path, "--format", "json")
    _answer_first(child, 4)
    saved = _session(tmp_path)["answers"]
    child.kill(signal.SIGKILL)
    child.close()
    assert len(saved) >= 5
    child = spawn(tmp_path, "--resume", "--format", "json")
    child.expect(f"Resuming: {len(saved)} answers saved")
    answer_all(child)
    json_result(child)


def test_corrupt_session_is_reported_kept_aside_and_never_crashes(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "session.json").write_text("{not json")
    child = spawn(tmp_path, "--resume", "--format", "json")
    child.expect("could not be read")
    answer_all(child)
    result = json_result(child)
    assert "us" in result
    kept = list(data.glob("session.corrupt-*.json"))
    assert kept and kept[0].read_text() == "{not json"


def test_not_a_terminal_exits_2(cli):
    result = cli("assess", stdin="")
    assert result.returncode == 2 and "needs a terminal" in result.stderr


def test_ask_missing_needs_a_terminal_too(cli, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("purpose: parody\n")
    result = cli("assess", "--answers", answers, "--ask-missing", stdin="")
    assert result.returncode == 2


def test_ask_missing_completes_an_answers_file(tmp_path):
    answers = tmp_path / "partial.yaml"
    answers.write_text("use_summary: Partial\njurisdictions: [us]\npurpose: parody\n")
    child = spawn(tmp_path, "--answers", answers, "--ask-missing", "--format", "json")
    asked = answer_all(child)
    result = json_result(child)
    assert asked >= 1 and "us" in result
    import re
    log = (tmp_path / "screen.log").read_text()
    assert re.search(r"main purpose of the use\?.{0,60}\(arrows or number", log) is None  # given, never asked
    assert "question 1," in log


# ------------------------------------------------------------------ the question lint

def test_every_fact_has_exactly_one_question(base):
    questions = load_questions(base)
    assert lint_questions(base, questions) == []
    assert {q.fact for q in questions} == {f.id for f in base.vocabulary}


def test_lint_finds_a_fact_without_question(base, tmp_path):
    questions = [q for q in load_questions(base) if q.fact != "heart_taken"]
    assert lint_questions(base, questions) == ["fact 'heart_taken' has no question"]


def test_a_question_naming_an_unknown_fact_is_an_error(base, rules_copy):
    path = rules_copy / "questions.yaml"
    path.write_text(path.read_text().replace("- fact: heart_taken", "- fact: heart_takn"))
    with pytest.raises(FairuseError, match="unknown fact 'heart_takn'.*did you mean 'heart_taken'"):
        load_questions(base, path)


def test_the_ai_training_scenario_needs_fewer_than_25_questions(base, vocab, tmp_path):
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    from fairuse.questionnaire import SKIP, run
    target = load_answers(vocab, ROOT / "examples" / "llm-web-crawl.yaml")
    asked = []

    class Scripted:
        def ask(self, q, fact, current=None):
            asked.append(q.fact)
            return target.get(q.fact, SKIP)

        def review(self, rows):
            return "__done__"

    answers = run(base, session=Session(tmp_path), prompter=Scripted(), echo=lambda *a: None)
    assert len(asked) < 25
    full, short = assess(target, rulebase=base), assess(answers, rulebase=base)
    assert short.us.verdict == full.us.verdict
    assert {c: r.verdict for c, r in short.tdm.items()} == {c: r.verdict for c, r in full.tdm.items()}


def test_questions_already_irrelevant_are_not_asked(base):
    questions = load_questions(base)
    interview = Interview(base, questions)
    by_fact = {q.fact: q for q in questions}
    public = {"jurisdictions": ["us"], "work_status": "public_domain"}
    assert not interview.should_ask(by_fact["output_substitutes"], public)
    assert not interview.should_ask(by_fact["rights_reserved"], {"jurisdictions": ["us"]})
    assert interview.should_ask(by_fact["rights_reserved"], {"jurisdictions": ["eu"], "purpose": "ai_training",
                                                             "source_access": "publicly_available"})
