"""The questionnaire, driven through a real pseudo-terminal (pexpect), and its question lint."""

import json
import subprocess
import os
import re
import signal
import sys
import time

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
POINTER = r"» (?:\x1b\[[0-9;]*m)*"  # the highlighted choice (colour codes may follow the pointer)


def spawn(tmp_path, *args):
    env = {**os.environ, "FAIRUSE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1",  # no cursor-position query: keys typed at once are read as keys
           "COLUMNS": "160", "LINES": "50"}
    child = pexpect.spawn(sys.executable, ["-m", "fairuse", "assess", *map(str, args)], env=env, encoding="utf-8",
                          timeout=60, dimensions=(50, 160), cwd=str(tmp_path))
    child.logfile_read = open(tmp_path / "screen.log", "a")
    return child


def keys(child, *presses) -> None:
    """Send keys one at a time, as a person types them."""
    for press in presses:
        child.send(press)
        time.sleep(0.15)


def pick(child, ups: int) -> None:
    """Move up from the first choice (the list wraps: 1 = back, 2 = skip, 3 = help) and confirm."""
    for _ in range(ups):
        child.send(UP)
    child.send("\r")


def answer_all(child, summary="A test use", on_select=None):
    """Answer every prompt with its first choice (or a hook), then accept the review screen."""
    count = 0
    while True:
        if child.expect([r"question \d+ of about \d+", REVIEW]) == 1:
            child.send("\r")
            return count
        i = child.expect([SELECT, TEXT, CHECKBOX])  # after the header: never an answered prompt's last drawing
        count += 1
        if i == 1:
            time.sleep(0.2)
            child.send("\x15" + summary + "\r")
        elif i == 2:
            child.send("\r")
        else:
            question = child.before.splitlines()[-1] if child.before else ""
            if on_select and on_select(child, question):
                continue
            child.send("\r")


def sessions(tmp_path):
    return sorted((tmp_path / "data" / "sessions").glob("*.json"))


def _session(tmp_path):
    found = sessions(tmp_path)
    assert len(found) == 1, found
    return json.loads(found[0].read_text())


def hint_command(text):
    """The command the Ctrl-C message gives, as argv (after 'fairuse'), checking its environment part."""
    import shlex

    line = next(ln for ln in text.splitlines() if ln.startswith("To continue: "))
    words = shlex.split(line.removeprefix("To continue: "))
    env = {}
    while "=" in words[0]:
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    assert words[:2] == ["fairuse", "assess"]
    return words[1:], env


def json_result(child):
    child.expect(pexpect.EOF)
    if child.logfile_read:
        child.logfile_read.flush()
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
    child.expect(POINTER + r"3\) Building a search index")  # the earlier answer is pre-selected
    child.send("1\r")  # this time: Training an AI model
    child.expect("Training an AI model")
    child.expect(r"question 4")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    assert _session(tmp_path)["answers"]["purpose"] == "ai_training"


def test_skip_leaves_a_fact_unknown_and_missing_names_it(tmp_path):
    skipped = []

    def skip_commercial(child, question):
        screen = child.before
        if "What is the main purpose of the use" in screen:
            keys(child, "8", "\r")  # teaching: where being commercial can move the verdict
            return True
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
    assert "commercial" not in result["answers"]
    # missing names the skipped fact exactly when one of its values would give another verdict
    verdicts = set()
    for value in ("non_commercial", "indirect", "direct"):
        answers = tmp_path / f"{value}.json"
        answers.write_text(json.dumps({**result["answers"], "commercial": value}))
        out = subprocess.run([sys.executable, "-m", "fairuse", "assess", "--answers", str(answers), "--format", "json"],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
        verdicts.add(json.loads(out.stdout)["us"]["verdict"])
    assert ("commercial" in result["missing"]) == (verdicts != {result["us"]["verdict"]})


def _answer_first(child, n):
    child.expect(TEXT)
    child.send("Resumable use\r")
    child.expect(CHECKBOX)
    child.send("\r")
    for _ in range(n):
        child.expect([SELECT, CHECKBOX])  # a choice, or (after an AI purpose) which AI acts
        child.send("\r")
    child.expect([SELECT, CHECKBOX])  # waiting at the next question


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
    assert sessions(tmp_path) == []  # finished sessions are put away
    assert len(list((tmp_path / "data" / "sessions" / "done").glob("*.json"))) == 1


def _interrupt_after_three(tmp_path, *options):
    child = spawn(tmp_path, *options)
    _answer_first(child, 3)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    return child.before


def test_resume_alone_remembers_save_answers_and_every_option(tmp_path):
    """Issue 11: 'fairuse assess --resume' as the hint said never wrote the --save-answers file."""
    _interrupt_after_three(tmp_path, "--save-answers", "a.yaml", "--format", "json", "--as-of", "2024-06-01")
    child = spawn(tmp_path, "--resume")  # nothing else: the session remembers the rest
    child.expect("Resuming")
    answer_all(child)
    result = json_result(child)  # --format json was remembered
    import yaml
    saved = yaml.safe_load((tmp_path / "a.yaml").read_text())
    assert saved["use_summary"] == "Resumable use"
    assert str(saved["assessment_date"]) == "2024-06-01" and result["ruleset"]["as_of"] == "2024-06-01"


def test_the_interrupt_hint_is_the_whole_command_and_it_works_from_elsewhere(tmp_path):
    odd = tmp_path / "my answers"
    odd.mkdir()
    screen = _interrupt_after_three(tmp_path, "--save-answers", odd / "a b.yaml", "--format", "json")
    argv, env = hint_command(screen)
    assert env == {"FAIRUSE_DATA_DIR": str(tmp_path / "data")}
    assert argv[:4] == ["assess", "--resume", "--session", _session(tmp_path)["id"]]
    assert "--save-answers" in argv and str(odd / "a b.yaml") in argv  # absolute, quoted as one word
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "FAIRUSE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "fairuse", *argv], env=env, encoding="utf-8", timeout=60,
                          dimensions=(50, 160), cwd=str(elsewhere))
    answer_all(child)
    json_result(child)
    assert (odd / "a b.yaml").exists() and not (elsewhere / "a b.yaml").exists()


def test_kill_9_loses_at_most_the_current_question(tmp_path):
    child = spawn(tmp_path, "--format", "json")
    _answer_first(child, 4)
    saved = _session(tmp_path)["answers"]
    child.kill(signal.SIGKILL)
    child.close()
    assert len(saved) >= 5
    child = spawn(tmp_path, "--resume", "--format", "json")
    child.expect(f"{len(saved)} answers saved")
    answer_all(child)
    json_result(child)


def test_corrupt_session_is_reported_kept_aside_and_never_crashes(tmp_path):
    folder = tmp_path / "data" / "sessions"
    folder.mkdir(parents=True)
    (folder / "20260101-000000-1.json").write_text("{not json")
    child = spawn(tmp_path, "--resume", "--format", "json")
    child.expect("is not a valid session")
    answer_all(child)
    result = json_result(child)
    assert "us" in result
    kept = list(folder.glob("*.corrupt-*.json"))
    assert kept and kept[0].read_text() == "{not json"


@pytest.mark.parametrize("shape", [
    {"version": 1, "answers": {}, "unknown": None, "history": []},
    {"version": 1, "answers": {}, "unknown": [], "history": [["use_summary"]]},
    {"version": 1, "answers": {"purpose": {"a": 1}}, "unknown": [], "history": []},
    "deep",
])
def test_corrupt_shapes_that_crashed_resume_are_set_aside(tmp_path, shape):
    """Issue 15: '"unknown": null', unhashable history items, deep nesting crashed --resume every time."""
    data = tmp_path / "data"
    data.mkdir()
    text = "[" * 100_000 + "]" * 100_000 if shape == "deep" else json.dumps(shape)
    (data / "session.json").write_text(text)  # where the previous version kept it
    child = spawn(tmp_path, "--resume", "--format", "json")
    child.expect("is not a valid session")
    answer_all(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    kept = list((data / "sessions").glob("*.corrupt-*.json"))
    assert len(kept) == 1 and kept[0].read_text() == text


def answer_from(child, base, target):
    """Answer every prompt on the screen as ``target`` says (Skip for what it leaves out); accept the review.

    Returns the screen text up to the review screen.
    """
    from questionary.prompts.common import InquirerControl
    from fairuse.questionnaire import load_questions
    shortcuts = InquirerControl.SHORTCUT_KEYS
    questions = load_questions(base)
    while True:
        if child.expect([r"question \d+ of about \d+", REVIEW]) == 1:
            child.send("\r")
            return
        i = child.expect([SELECT, TEXT, CHECKBOX])  # after the header: never an answered prompt's last drawing
        screen = child.before[-600:] + child.after
        q = max((q for q in questions if q.question in screen), key=lambda q: screen.rindex(q.question))
        fact = base.vocabulary[q.fact]
        value = target.get(q.fact)
        if i == 1:
            time.sleep(0.3)
            child.send("\x15" + (str(value) if value is not None else "") + "\r")  # Ctrl-U clears a pre-filled answer
        elif i == 2:
            child.expect("Back to the previous question")  # the choices drawn before keys are sent
            time.sleep(0.3)
            want = set(value or [])
            ticked = {"us"} if q.fact == "jurisdictions" else set()  # the places start at the United States
            presses = []
            for code in [v for v in fact.values if v != "unknown"]:
                if (code in want) != (code in ticked):
                    presses.append(" ")
                presses.append("j")  # down
            if value is None:  # Skip sits after Why, past the separator
                presses += ["j", " "]
            keys(child, *presses, "\r")
        else:
            values = [True, False] if fact.type == "bool" else [v for v in fact.values if v != "unknown"]
            index = values.index(value) if value in values else len(values) + 1  # Skip
            child.send(shortcuts[index] + "\r")


def test_on_screen_counts_fall_sections_stay_in_order_and_leanings_follow_their_questions(tmp_path, base, vocab):
    """Issue 11, read off the screen: the count rose (12 -> 19 -> 20), sections came back, and
    "So far, nature leans ..." came before any nature question."""
    from fairuse.answers import load_answers
    from fairuse.questionnaire import load_questions
    import datetime as dt
    target = load_answers(vocab, ROOT / "examples" / "artist-style-finetune.yaml")
    child = spawn(tmp_path, "--format", "json")
    answer_from(child, base, target)
    result = json_result(child)
    assert result["us"]["verdict"]
    child.logfile_read.flush()
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", (tmp_path / "screen.log").read_text())
    headers = HEADER.findall(screen)
    totals = [int(h[3]) for h in headers]
    assert len(totals) >= 10 and totals[-1] >= int(headers[-1][2]), totals
    interview = screen[:screen.index("Review your answers")] if "Review your answers" in screen else screen
    assert not re.search(r"[+-]\d\.\d\d", interview)  # no scores on screen (the JSON after it has them)
    order = list(dict.fromkeys(q.section_title for q in load_questions(base)))
    main = [order.index(h[1]) for h in headers if not h[0]]
    assert main == sorted(main), headers
    from fairuse.questionnaire.interview import factor_facts
    texts = {q.question: q.fact for q in load_questions(base)}
    asked_since = []
    for line in screen.splitlines():
        hit = next((fact for text, fact in texts.items() if f"? {text}" in line), None)
        if hit:
            asked_since.append(hit)
        match = LEANING.match(line)
        if match:
            assert set(asked_since) & factor_facts(base, FACTOR_BY_NUMBER[match.group(1)], dt.date.today()), line
            asked_since = []


def test_help_on_screen_is_only_for_the_chosen_places(tmp_path):
    """Issue 11: a US-only parody was told about China's teaching exception."""
    child = spawn(tmp_path, "--format", "json")
    child.expect(TEXT)
    child.send("A parody\r")
    child.expect(CHECKBOX)
    child.send("\r")  # the United States only
    child.expect(SELECT)
    child.send("5\r")  # Parody
    while True:
        child.expect(r"question \d+ of about")
        child.expect(SELECT)
        if "How much of each work do you use" in child.before[-400:]:
            break
        child.send("2\r" if "licence or permission" in child.before[-400:] else "1\r")  # not licensed
    pick(child, 3)  # Why does this matter?
    child.expect(r"Why this matters: (.*?)\r?\n")
    why = child.match.group(1)
    assert "Factor three of US fair use" in why
    assert "China" not in why and "Japan" not in why
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_the_place_question_offers_why_skip_and_back(tmp_path):
    """Issue 11: the multiple-choice 'Where does the use happen' question had no Why / Skip / Back."""
    child = spawn(tmp_path, "--format", "json")
    child.expect(TEXT)
    child.send("Mining articles\r")
    child.expect(CHECKBOX)
    child.expect("Back to the previous question")
    time.sleep(0.3)
    for label in ("? Why does this matter?", "Skip: leave it unknown", "Back to the previous question"):
        assert label in child.before + child.after
    keys(child, *"jjj jjj ", "\r")  # Japan, and Why
    child.expect("Why this matters: Each place has its own law")
    child.expect(CHECKBOX)
    child.expect("Back to the previous question")
    time.sleep(0.3)
    keys(child, *"jjjjjjjj ", "\r")  # Back (Japan stays ticked)
    child.expect(TEXT)  # the first question again, its answer offered for editing
    child.expect("Mining articles")
    child.send("\r")
    child.expect(CHECKBOX)
    child.expect("Back to the previous question")
    time.sleep(0.3)
    keys(child, *" jjjjjjj ", "\r")  # untick the United States; Skip
    child.expect(r"\[Skip: leave it unknown\]")
    child.expect(SELECT)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    state = _session(tmp_path)
    assert "jurisdictions" in state["unknown"] and "jurisdictions" not in state["answers"]


def test_review_shows_the_users_own_words(tmp_path):
    """Issue 11: the review showed an internal note and "no"/"yes" where the user picked "No"/"Yes"."""
    child = spawn(tmp_path, "--format", "json")
    answer_all(child)  # first choices: Yes where a yes/no question comes
    json_result(child)
    child.logfile_read.flush()
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", (tmp_path / "screen.log").read_text())
    review = screen[screen.index("Review your answers"):]
    assert "— Yes" in review and "— yes" not in review and "— no\n" not in review
    assert "offered on the review screen" not in screen and "empty for today;" not in screen
    assert re.search(r"On what date should the law be applied\? — today \(\d{4}-\d{2}-\d{2}\)", review)


def test_two_questionnaires_on_one_data_folder_both_survive_kill_9(tmp_path):
    """Issue 15: two questionnaires overwrote each other; kill one and its answers existed nowhere."""
    first = spawn(tmp_path, "--format", "json")
    first.expect(TEXT)
    first.send("First use\r")
    first.expect(CHECKBOX)
    second = spawn(tmp_path, "--format", "json")
    second.expect(TEXT)
    second.send("Second use\r")
    second.expect(CHECKBOX)
    second.send("\r")
    second.expect(SELECT)
    second.send("5\r")  # Parody
    second.expect(SELECT)
    first.send("\r")
    first.expect(SELECT)  # first: purpose, after the second answered three
    states = {s["answers"]["use_summary"]: s for s in map(lambda p: json.loads(p.read_text()), sessions(tmp_path))}
    assert set(states) == {"First use", "Second use"}
    first_id, second_id = states["First use"]["id"], states["Second use"]["id"]
    # a session in use cannot be resumed a second time
    third = spawn(tmp_path, "--resume", "--session", second_id)
    third.expect(f"session {second_id} is in use by process {second.pid}")
    third.expect(pexpect.EOF)
    third.close()
    assert third.exitstatus == 2 and "Traceback" not in third.before
    first.kill(signal.SIGKILL)
    second.send("1\r")
    second.expect(SELECT)
    second.kill(signal.SIGKILL)
    first.close()
    second.close()
    for sid, summary, count in ((first_id, "First use", 2), (second_id, "Second use", 4)):
        child = spawn(tmp_path, "--resume", "--session", sid, "--format", "json")
        child.expect(f"Resuming session {sid}: {count} answers saved")
        answer_all(child)
        result = json_result(child)
        assert result["us"]["verdict"]
    done = [json.loads(p.read_text()) for p in (tmp_path / "data" / "sessions" / "done").glob("*.json")]
    assert sorted(d["answers"]["use_summary"] for d in done) == ["First use", "Second use"]
    assert next(d for d in done if d["id"] == second_id)["answers"]["purpose"] == "parody"


def test_an_unwritable_data_folder_is_one_line_at_the_start(tmp_path):
    """Issue 15: an unwritable data directory gave a traceback on the first answer and lost it."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    env = {**os.environ, "FAIRUSE_DATA_DIR": str(blocker / "data"), "PYTHONPATH": str(ROOT), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "fairuse", "assess"], env=env, encoding="utf-8", timeout=60,
                          dimensions=(50, 160), cwd=str(tmp_path))
    child.expect(pexpect.EOF)
    child.close()
    lines = [line for line in child.before.splitlines() if line.strip()]
    assert child.exitstatus == 2, child.before
    assert len(lines) == 1 and "cannot save the questionnaire's answers" in lines[0] and "FAIRUSE_DATA_DIR" in lines[0]
    assert "question 1" not in child.before


def test_a_save_that_fails_midway_is_said_and_ctrl_c_prints_the_answers(tmp_path):
    child = spawn(tmp_path, "--format", "json")
    child.expect(TEXT)
    child.send("Kept somewhere\r")
    child.expect(CHECKBOX)
    folder = tmp_path / "data" / "sessions"
    folder.rename(tmp_path / "data" / "moved")
    folder.write_text("now a file: nothing can be saved in it")
    child.send("\r")
    child.expect("this answer could not be saved")
    child.expect(SELECT)
    child.send("5\r")
    child.expect(SELECT)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    import yaml
    text = child.before[child.before.index("could NOT be saved"):]
    printed = yaml.safe_load(text[text.index("\n") + 1:])
    assert printed["use_summary"] == "Kept somewhere" and printed["purpose"] == "parody"


def test_save_answers_into_a_missing_folder_fails_before_the_first_question(tmp_path):
    child = spawn(tmp_path, "--save-answers", tmp_path / "nowhere" / "a.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "does not exist" in child.before and "question 1" not in child.before


def _refused_at_once(child) -> str:
    """The questionnaire stops before its first question: one line, exit status 2."""
    child.expect(pexpect.EOF)
    child.close()
    lines = [line for line in child.before.splitlines() if line.strip()]
    assert child.exitstatus == 2 and len(lines) == 1 and "Traceback" not in child.before, child.before
    assert "question 1" not in child.before
    return lines[0]


def test_save_answers_never_replaces_a_file_a_link_or_a_device(tmp_path):
    """Issue 22: --save-answers replaced an existing file silently, and /dev/stdout (a link) without --force."""
    mine = tmp_path / "mine.yaml"
    mine.write_text("purpose: parody\n")
    line = _refused_at_once(spawn(tmp_path, "--save-answers", mine))
    assert "already exists" in line and "--force" in line and mine.read_text() == "purpose: parody\n"
    link = tmp_path / "out.yaml"
    os.symlink("/dev/null", link)
    for extra in ((), ("--force",)):
        line = _refused_at_once(spawn(tmp_path, "--save-answers", link, *extra))
        assert str(link) in line and "symbolic link" in line and os.readlink(link) == "/dev/null"
    os.mkfifo(tmp_path / "pipe.yaml")
    line = _refused_at_once(spawn(tmp_path, "--save-answers", tmp_path / "pipe.yaml", "--force"))
    assert "FIFO" in line


def test_resume_never_replaces_the_remembered_file_without_force(tmp_path):
    """Issue 22: a resumed session replaced the --save-answers file it remembered, silently."""
    _interrupt_after_three(tmp_path, "--save-answers", "a.yaml", "--format", "json")
    (tmp_path / "a.yaml").write_text("written meanwhile\n")
    line = _refused_at_once(spawn(tmp_path, "--resume"))
    assert "a.yaml: already exists" in line and "--force" in line
    assert (tmp_path / "a.yaml").read_text() == "written meanwhile\n" and len(sessions(tmp_path)) == 1
    child = spawn(tmp_path, "--resume", "--force")
    child.expect("Resuming")
    answer_all(child)
    json_result(child)
    import yaml
    assert yaml.safe_load((tmp_path / "a.yaml").read_text())["use_summary"] == "Resumable use"


def test_a_file_that_appears_before_the_end_is_kept_and_so_are_the_answers(tmp_path):
    child = spawn(tmp_path, "--format", "json", "--save-answers", tmp_path / "a.yaml")
    _answer_first(child, 1)
    (tmp_path / "a.yaml").write_text("someone else's\n")
    child.send("\r")
    answer_all(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "Traceback" not in child.before
    error = re.search(r"fairuse: error: .*", child.before).group()
    assert "already exists" in error and "your answers are kept in" in error and "--resume" in error
    assert (tmp_path / "a.yaml").read_text() == "someone else's\n"
    assert _session(tmp_path)["answers"]["use_summary"] == "Resumable use"


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
    assert "question 1 of about" in log


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


class Scripted:
    """Answers from an answers file (Skip for what it leaves out); records what was asked and shown."""

    def __init__(self, target):
        self.target, self.asked, self.helps = target, [], {}

    def ask(self, q, fact, current=None, help_text=None):
        from fairuse.questionnaire import SKIP
        self.asked.append(q.fact)
        self.helps[q.fact] = help_text
        return self.target.get(q.fact, SKIP)

    def review(self, rows):
        return "__done__"


def scripted_run(base, tmp_path, target):
    from fairuse.questionnaire import Sessions, run
    prompter, lines = Scripted(target), []
    answers = run(base, session=Sessions(tmp_path).new(), prompter=prompter, echo=lines.append)
    return answers, prompter, lines


def test_the_ai_training_scenario_needs_fewer_than_25_questions(base, vocab, tmp_path):
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    target = load_answers(vocab, ROOT / "examples" / "llm-web-crawl.yaml")
    target["ai_acts"] = [target["ai_stage"]]  # what the questionnaire asks (the act assessed follows from it)
    answers, prompter, _ = scripted_run(base, tmp_path, target)
    # issue 25: a question counts as decisive against the answer the user would get, the unknown defeaters
    # assumed; the terms of use and the memorisation risk each move the EU answer (applies -> uncertain) here,
    # so they are asked, as the answers file states them: 25 questions for six places
    assert {"contract_forbids_tdm", "memorization_risk"} <= set(prompter.asked)
    assert len(prompter.asked) <= 25
    full, short = assess(target, rulebase=base), assess(answers, rulebase=base)
    assert short.us.verdict == full.us.verdict
    assert {c: r.verdict for c, r in short.tdm.items()} == {c: r.verdict for c, r in full.tdm.items()}


HEADER = re.compile(r"\[(Follow-up(?: \d+)?: )?(.+?)\] question (\d+) of about (\d+)")
LEANING = re.compile(r"\s*So far, in the United States, .+? \(factor (\d)\) leans")
FACTOR_BY_NUMBER = {"1": "purpose", "2": "nature", "3": "amount", "4": "market"}


def _replayed_counts(base, target, asked):
    """The questions the path would still ask before each question (replaying the answers given so far)."""
    from fairuse.questionnaire import load_questions
    from fairuse.questionnaire.interview import Interview

    interview = Interview(base, load_questions(base))
    out = []
    for k in range(len(asked)):
        before = {f: target[f] for f in asked[:k] if f in target}
        settled = {f for f in asked[:k] if f not in target}
        out.append(set(interview.askable(before, settled)))
    return out


def check_honest_count(base, target, asked, totals):
    """The count never falls below the questions asked, and rises only by the questions an answer newly made
    worth asking (an answer can also settle what was left: the last count may be above the end)."""
    assert totals and all(t >= k + 1 for k, t in enumerate(totals)), totals
    sets = _replayed_counts(base, target, asked)
    for k in range(1, len(totals)):
        opened = sets[k] - sets[k - 1]
        assert totals[k] - totals[k - 1] <= len(opened), (k, totals, sorted(opened))
EXAMPLES_ALL = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES_ALL, ids=lambda p: p.stem)
def test_count_is_honest_and_sections_come_in_a_stable_order(base, vocab, tmp_path, example):
    """Issue 11: sections jumped back and forth. Issue 25: "at most 52 left" for a 16-question path: the
    count is the questions this path still asks, rises only by a branch an answer opens, and ends exact."""
    from fairuse.answers import load_answers
    from fairuse.questionnaire import load_questions
    target = load_answers(vocab, example)
    _, prompter, lines = scripted_run(base, tmp_path, target)
    headers = [HEADER.search(line).groups() for line in lines if HEADER.search(line)]
    assert len(headers) == len(prompter.asked) > 0
    check_honest_count(base, target, prompter.asked, [int(h[3]) for h in headers])
    order = list(dict.fromkeys(q.section_title for q in load_questions(base)))
    # the main pass, then follow-up passes ("Follow-up:", "Follow-up 2:", ...), each in section order
    passes, last = [[]], None
    for follow, title, _, _ in headers:
        if last is not None and last and not follow:
            raise AssertionError(f"back to the main pass after a follow-up: {headers}")
        if follow and follow != last:
            passes.append([])
        passes[-1].append(order.index(title))
        last = follow
    for ranks in passes:
        assert ranks == sorted(ranks), f"a section came back within a pass: {headers}"


def test_an_honest_count_whatever_the_answers(base, tmp_path):
    """Random answers (Hypothesis): the count ends exact and rises only by the branch an answer opens."""
    from hypothesis import HealthCheck, given, settings, strategies as st
    from fairuse.questionnaire import SKIP

    facts = {f.id: f for f in base.vocabulary}

    def value_for(fact):
        if fact.type == "bool":
            return st.sampled_from([True, False, SKIP])
        if fact.type == "choice":
            return st.sampled_from([v for v in fact.values if v != "unknown"] + [SKIP])
        if fact.type == "multi":
            return st.lists(st.sampled_from(fact.values), min_size=1, max_size=3, unique=True)
        return st.just("A use" if fact.type == "text" else SKIP)

    answers_st = st.fixed_dictionaries({k: value_for(f) for k, f in facts.items()})

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(answers_st)
    def check(target):
        import tempfile
        target = {k: v for k, v in target.items() if v is not SKIP}
        with tempfile.TemporaryDirectory() as folder:
            from pathlib import Path
            _, prompter, lines = scripted_run(base, Path(folder), target)
        totals = [int(HEADER.search(line).group(4)) for line in lines if HEADER.search(line)]
        check_honest_count(base, target, prompter.asked, totals)

    check()


def test_a_factor_leaning_only_after_one_of_its_questions(base, vocab, tmp_path):
    """Issue 11: "So far, nature leans neither way" came before any nature question was asked."""
    from fairuse.answers import load_answers
    from fairuse.questionnaire.interview import factor_facts
    import datetime as dt
    shown = 0
    for example in EXAMPLES_ALL:
        target = load_answers(vocab, example)
        folder = tmp_path / example.stem
        folder.mkdir()
        _, prompter, lines = scripted_run(base, folder, target)
        asked = iter(prompter.asked)
        since_last: list = []
        for line in lines:
            if HEADER.search(line):
                since_last.append(next(asked))
            match = LEANING.match(line)
            if match:
                shown += 1
                feeding = factor_facts(base, FACTOR_BY_NUMBER[match.group(1)], dt.date.today())
                assert set(since_last) & feeding, (example.stem, line, since_last)
                since_last = []
    assert shown >= 10  # leanings are still shown


def test_help_names_only_the_chosen_jurisdictions(base):
    """Issue 11: a US-only parody was told about China's teaching exception and Japan's Art 30-4."""
    from fairuse.questionnaire import load_questions
    names = {"us": r"\bUS\b|U\.S\.|Copyright Office", "uk": r"\bUK\b|CDPA|Getty", "eu": r"\bEU\b|DSM|GEMA|LAION",
             "jp": r"Japan", "cn": r"China|Chinese", "sg": r"Singapore"}
    from fairuse.assess import facts_used
    checked = 0
    for q in load_questions(base):
        if q.fact == "jurisdictions":
            continue  # its help is about choosing among them
        for code in names:
            if not q.always_ask and q.fact not in facts_used(base, code, base.stated_as_of):
                continue  # never asked of someone who chose only this place
            text = q.help_for([code])
            for other, pattern in names.items():
                if other != code:
                    assert not re.search(pattern, text), (q.fact, code, text)
            checked += 1
    assert checked > 60
    by_fact = {q.fact: q for q in load_questions(base)}
    assert "China" in by_fact["amount_used"].help_for(["us", "cn"])
    assert by_fact["amount_used"].help_for(None).count("(") >= 2  # before a choice: every part


def test_help_silent_on_a_place_using_the_fact_is_a_warning_and_shows_it_all(base):
    from fairuse.questionnaire import help_gaps, load_questions
    assert help_gaps(base, load_questions(base)) == []
    questions = load_questions(base)
    rights = next(q for q in questions if q.fact == "rights_reserved")
    rights.help = [(frozenset({"eu"}), "EU text.")]
    commercial = next(q for q in questions if q.fact == "commercial")
    commercial.help = [(frozenset({"us"}), "US text.")]
    gaps = help_gaps(base, questions)
    assert any("'commercial': its help says nothing for 'uk'" in g for g in gaps)
    assert commercial.help_for(["jp"]) == "US text."  # nothing for Japan: the whole help, never nothing


def test_help_is_data_per_jurisdiction_and_checked(base, rules_copy):
    from fairuse.rules import load_rulebase
    from fairuse.questionnaire import load_questions
    path = rules_copy / "questions.yaml"
    path.write_text(path.read_text().replace('          jp: "Japan\'s Art 30-4 allows use', '          xx: "Japan\'s Art 30-4 allows use'))
    with pytest.raises(FairuseError, match="help key 'xx': 'xx' is not a jurisdiction"):
        load_questions(load_rulebase(rules_copy), path)


def test_questions_already_irrelevant_are_not_asked(base):
    questions = load_questions(base)
    interview = Interview(base, questions)
    by_fact = {q.fact: q for q in questions}
    public = {"jurisdictions": ["us"], "work_status": "public_domain"}
    assert not interview.should_ask(by_fact["output_substitutes"], public)
    assert not interview.should_ask(by_fact["rights_reserved"], {"jurisdictions": ["us"]})
    assert interview.should_ask(by_fact["rights_reserved"], {"jurisdictions": ["eu"], "purpose": "ai_training",
                                                             "source_access": "publicly_available"})


def test_questions_help_and_labels_from_a_ruleset_are_shown_literally(rules_copy):
    """Issue 22: the questionnaire printed a ruleset's help as it was: an OSC escape set the terminal's title."""
    from fairuse.rules import load_rulebase

    import yaml

    path = rules_copy / "questions.yaml"
    data = yaml.safe_load(path.read_text())
    first = data["sections"][0]["questions"][0]
    first["help"] = "\x1b]2;pwned\x07 [/bold] Why it matters."
    first["question"] = "\x1b[31mRed?\x1b[0m " + first["question"]
    with_choices = next(q for s in data["sections"] for q in s["questions"] if q.get("choices"))
    value = next(iter(with_choices["choices"]))
    with_choices["choices"][value] = "\x1b]8;;http://x\x07label"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    questions = load_questions(load_rulebase(rules_copy))
    shown = " ".join([questions[0].help_for(None), questions[0].question]
                     + [label for q in questions for label in q.choices.values()])
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b]2;pwned\\x07 [/bold] Why it matters." in shown and "\\x1b[31mRed?" in shown


@pytest.mark.parametrize("change, needles", [
    (lambda q, s: q.update(question=["a", "list"]), ["questions.yaml:", "'question': expected text, got a list"]),
    (lambda q, s: q.update(choices=["us", "uk"]), ["questions.yaml:", "'choices': expected a mapping"]),
    (lambda q, s: s.update(title={"a": 1}), ["questions.yaml:", "section 'title': expected text"]),
    (lambda q, s: s.update(factor="purpse"), ["questions.yaml:", "did you mean 'purpose'"]),
])
def test_a_mistyped_question_is_one_line_naming_file_line_and_key(rules_copy, change, needles):
    import yaml

    from fairuse.errors import FairuseError
    from fairuse.rules import load_rulebase

    path = rules_copy / "questions.yaml"
    data = yaml.safe_load(path.read_text())
    section = data["sections"][0]
    change(section["questions"][1], section)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(FairuseError) as info:
        load_questions(load_rulebase(rules_copy))
    assert "\n" not in str(info.value) and all(n in str(info.value) for n in needles), str(info.value)


# ------------------------------------------------------------------ issue 25: plain definitions and examples

def test_every_answer_has_an_example_and_legal_terms_a_definition(base):
    from fairuse.questionnaire.questions import answers_of, terms_used
    questions = load_questions(base)
    assert "research organisation" in questions.terms and "licence" in questions.terms
    for q in questions:
        fact = base.vocabulary[q.fact]
        assert all(q.example(v) for v in answers_of(q, fact)), q.fact
        assert not terms_used(q, questions.terms) or q.define_for(None), q.fact
    by_fact = {q.fact: q for q in questions}
    assert "A university lab counts; a company's R&D team does not" in by_fact["user_kind"].define_for(["eu"])
    assert "against its terms" in by_fact["source_access"].define_for(["us"])
    assert "2024 General Understanding" in by_fact["enjoyment_purpose"].define_for(["jp"])
    assert "General Understanding" not in by_fact["enjoyment_purpose"].define_for(["us"])  # only for the places chosen


def test_lint_finds_a_missing_example_and_a_missing_definition(base, rules_copy, cli):
    from fairuse.rules import load_rulebase
    from conftest import edit_file
    path = rules_copy / "questions.yaml"
    edit_file(path, '          direct: "A subscription app, a paid model, or a product sold to customers."\n', "")
    text = path.read_text()
    start = text.index("      - fact: heart_taken")
    block = text[start:text.index("      - fact:", start + 10)]
    path.write_text(text.replace(block, "\n".join(ln for ln in block.split("\n") if "define:" not in ln)))
    rules = load_rulebase(rules_copy)
    problems = lint_questions(rules, load_questions(rules))
    assert any("question 'commercial': no example for the answer 'direct'" in p for p in problems), problems
    assert any("question 'heart_taken' uses the legal term 'heart of the work' but has no 'define'" in p
               for p in problems), problems
    assert len(problems) == 2 and all("\n" not in p for p in problems)
    lint = cli("rules", "lint", rules_copy)
    assert lint.returncode != 0 and "no example for the answer 'direct'" in lint.stdout + lint.stderr


@pytest.mark.parametrize("fact, change, needle", [
    ("commercial", lambda q: q["examples"].update(sold=q["examples"].pop("direct")),
     "examples: 'sold' is not an answer of 'commercial'"),
    ("enjoyment_purpose", lambda q: q.update(examples=["a", "list"]), "'examples' must map each answer"),
    ("enjoyment_purpose", lambda q: q["examples"].update({True: ""}), "examples 'true': expected a text"),
    ("public_exposure", lambda q: q.update(define=["a", "list"]), "'define' must be a text or a mapping"),
    ("user_kind", lambda q: q["define"].update(xx="text"), "define key 'xx': 'xx' is not a jurisdiction"),
    ("tpm_circumvented", lambda q: q.update(defeater="yes"), "'defeater' takes true or false"),
])
def test_a_mistyped_definition_or_example_is_one_line(rules_copy, fact, change, needle):
    import yaml

    from fairuse.rules import load_rulebase

    path = rules_copy / "questions.yaml"
    data = yaml.safe_load(path.read_text())
    change(next(q for s in data["sections"] for q in s["questions"] if q["fact"] == fact))
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(FairuseError) as info:
        load_questions(load_rulebase(rules_copy))
    assert "\n" not in str(info.value) and "questions.yaml:" in str(info.value) and needle in str(info.value), \
        str(info.value)


def test_definitions_and_examples_are_shown_literally(rules_copy):
    from fairuse.rules import load_rulebase
    from conftest import edit_file
    edit_file(rules_copy / "questions.yaml", '        define: "Choose every place',
              '        define: "\\e]2;pwned\\a Choose every place')
    edit_file(rules_copy / "questions.yaml", '          us: "A US company', '          us: "\\e[31mA US company')
    q = load_questions(load_rulebase(rules_copy))[1]
    shown = q.define_for(None) + q.example("us")
    assert "\x1b" not in shown and "\x07" not in shown and "\\x1b]2;pwned" in shown


def test_the_definition_and_the_highlighted_example_are_on_screen_within_80_columns(tmp_path):
    env = {**os.environ, "FAIRUSE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": "80", "LINES": "40"}
    child = pexpect.spawn(sys.executable, ["-m", "fairuse", "assess"], env=env, encoding="utf-8", timeout=60,
                          dimensions=(40, 80), cwd=str(tmp_path))
    child.logfile_read = open(tmp_path / "screen.log", "a")
    child.expect(r"\[type \? for")  # the hint wraps at 80 columns
    time.sleep(0.3)
    child.send("A lab trains an image model\r")
    child.expect(CHECKBOX)
    child.expect("Description: A US company's service, offered to US users.")
    keys(child, "j")  # the example follows the highlighted choice (redrawn where it differs: "London" is new)
    child.expect("London")
    keys(child, " ", "j", " ", "\r")  # the UK and the EU
    child.expect(SELECT)  # the purpose
    child.expect("Description: Training or fine-tuning a chatbot")
    child.send("1\r")
    child.expect(r"\(space sele")  # the AI acts (the instruction wraps at 80 columns)
    child.expect("Back to the previous question")
    time.sleep(0.3)
    child.send("\r")
    child.expect(r"question \d+ of about")
    child.expect("(?s)In plain words: (.*?)Who is making the use", timeout=60)
    plain = child.match.group(1)
    lines = [ln for ln in re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", plain).splitlines() if ln.strip() and ln.strip() != "?"]
    assert lines and all(len(ln) <= 80 for ln in lines), lines
    assert "research organisation is a university" in " ".join(" ".join(ln.split()) for ln in lines)
    assert "Digital Single Market Directive" in " ".join(" ".join(ln.split()) for ln in lines)  # the EU was chosen
    child.expect("Description: A hobbyist training a model at home")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_facts_shows_definitions_and_examples(cli):
    out = cli("facts", "user_kind", "--jurisdiction", "eu")
    assert out.returncode == 0
    assert "In plain words: Pick who makes the use" in out.stdout
    assert "For example: A university research lab" in out.stdout
    rows = json.loads(cli("facts", "research_purpose", "--format", "json").stdout)
    assert {str(v["value"]): bool(v["example"]) for v in rows[0]["values"]} == {"True": True, "False": True}


# ------------------------------------------------------------------ issue 25: defeaters asked in the interview

LAB = ROOT / "examples" / "lab-finetune.yaml"  # the same as ../shared/scenarios/lab-finetune.yaml
EU_COMPANY = {"use_summary": "A company trains a model", "jurisdictions": ["eu"], "purpose": "ai_training",
              "ai_acts": ["training"], "user_kind": "company", "commercial": "direct", "research_purpose": False,
              "enjoyment_purpose": False, "work_status": "in_copyright", "license_covers_use": False,
              "source_access": "publicly_available", "tpm_circumvented": False, "rights_reserved": "none"}


def test_a_defeater_is_asked_when_it_could_change_a_verdict_and_not_otherwise(base, vocab):
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    questions = load_questions(base)
    interview = Interview(base, questions)
    contract = next(q for q in questions if q.fact == "contract_forbids_tdm")
    assert contract.defeater
    # a company mining under EU Art 4 with no opt-out: terms forbidding mining would reserve it
    assert interview.should_ask(contract, EU_COMPANY)
    assert "contract_forbids_tdm" in [a["fact"] for a in assess(EU_COMPANY, rulebase=base).assumptions]
    # the same use in the US only: no term of use changes the fair-use answer
    assert not interview.should_ask(contract, {**EU_COMPANY, "jurisdictions": ["us"]})
    # the lab's answers: the opt-out in the site's terms is already given, and nothing a contract adds moves an answer
    lab = load_answers(vocab, LAB)
    assert not interview.should_ask(contract, lab)


def test_an_assumed_fact_not_marked_defeater_stays_assumed_and_the_lint_says_so(rules_copy):
    from fairuse.rules import load_rulebase
    from fairuse.questionnaire.questions import defeater_gaps
    from conftest import edit_file
    path = rules_copy / "questions.yaml"
    edit_file(path, "      - fact: contract_forbids_tdm\n        defeater: true\n", "      - fact: contract_forbids_tdm\n")
    edit_file(path, "      - fact: work_published\n", "      - fact: work_published\n        defeater: true\n")
    rules = load_rulebase(rules_copy)
    questions = load_questions(rules)
    contract = next(q for q in questions if q.fact == "contract_forbids_tdm")
    assert not Interview(rules, questions).should_ask(contract, EU_COMPANY)  # assumed, not asked
    gaps = defeater_gaps(rules, questions)
    assert len(gaps) == 2 and all("\n" not in g for g in gaps), gaps
    assert "'contract_forbids_tdm': its fact is assumed when unknown and so never asked" in gaps[1] + gaps[0]
    assert "'work_published' is marked 'defeater: true' but no weighing.yaml assumes its fact" in gaps[0] + gaps[1]


def test_the_lab_interview_asks_about_the_sites_terms_and_says_what_it_assumed(tmp_path, base, vocab):
    """Issue 25: the lab's description said the site's terms forbid scraping; the interview never asked."""
    from fairuse.answers import load_answers
    target = load_answers(vocab, LAB)
    target["ai_acts"] = [target["ai_stage"]]
    child = spawn(tmp_path)
    answer_from(child, base, target)
    child.expect(pexpect.EOF)
    screen = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", (tmp_path / "screen.log").read_text())
    assert "Did the rightholders opt out of text and data mining?" in screen
    assert "Yes, in words in a public website's terms of use" in screen
    assert "even if the site's terms forbid scraping" in screen  # the example of freely available copies
    result = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", child.before)
    assert "Facts assumed" in result  # the questions not asked, or skipped, whose answer is assumed
    assumed = result[result.index("Facts assumed"):result.index("What would change")]
    assert "does not supply copies of others' works as a service" in assumed  # in words, never an id
    assert "copying_service" not in assumed
