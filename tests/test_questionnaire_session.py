"""Session files (fairuse.questionnaire.session): one per questionnaire, private, validated as a whole."""

import json
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fairuse.errors import FairuseError
from fairuse.questionnaire.session import Corrupt, SessionError, Sessions, check_shape

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20)


def _valid(sid="20260101-000000-1"):
    return {"version": 2, "id": sid, "saved": "2026-01-01T00:00:00", "pid": 1,
            "options": {"save_answers": "/tmp/a.yaml", "format": "json", "trace": False},
            "answers": {"use_summary": "A use", "jurisdictions": ["us"], "purpose": "parody", "commercial": "direct"},
            "unknown": ["new_purpose"], "history": ["use_summary", "jurisdictions", "purpose", "commercial", "new_purpose"]}


def _resume(folder, base):
    """What --resume does with whatever is on disk: (session or None, note)."""
    session, note = Sessions(folder).resume()
    if session is None:
        return None, note
    try:
        session.check(base.vocabulary)
    except Corrupt as exc:
        return None, session.set_aside(str(exc))
    return session, note


def _mutations():
    keys = st.sampled_from(sorted(_valid()))
    return st.tuples(keys, json_values) | st.tuples(keys, st.just("__delete__"))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(json_values, _mutations().map(lambda m: ("mutate", m))))
def test_any_json_on_disk_resumes_or_is_set_aside_intact(tmp_path_factory, base, shape):
    """Issue 15: some shapes crashed --resume every time and were never set aside."""
    folder = tmp_path_factory.mktemp("data")
    (folder / "sessions").mkdir()
    if isinstance(shape, tuple) and shape[:1] == ("mutate",):
        key, value = shape[1]
        state = _valid()
        if value == "__delete__":
            state.pop(key)
        else:
            state[key] = value
        shape = state
    path = folder / "sessions" / "20260101-000000-1.json"
    text = json.dumps(shape)
    path.write_text(text)
    session, note = _resume(folder, base)
    if session is not None:
        assert session.answers == {k: v for k, v in shape["answers"].items() if v is not None}
        session.unlock()
    else:
        assert "is not a valid session" in note and "\n" not in note
        kept = list((folder / "sessions").glob("*.corrupt-*.json"))
        assert len(kept) == 1 and kept[0].read_text() == text and not path.exists()


@pytest.mark.parametrize("text", [
    "[" * 200_000 + "]" * 200_000,
    '{"version": 1, "answers": {}, "unknown": null}',
    '{"version": 1, "answers": {}, "history": [["purpose"]]}',
    '{"version": 1, "answers": {}, "history": [{"a": 1}]}',
    '{"version": 2, "id": "20260101-000000-1", "options": {"rules": 5}, "answers": {}}',
    '{"version": 1, "answers": {"purpose": "parody"}, "unknown": ["purpose"]}',
    '{"version": 1, "answers": {"purpose": "pardoy"}}',
    '{"version": 1, "answers": {"no_such_fact": true}}',
    "\x00\xff not text",
    "x" * 2_000_000,
    # issue 22: each crashed --resume every time (it could be neither saved nor printed)
    '{"version": 1, "answers": {"use_summary": "A use \\ud800"}}',
    '{"version": 1, "answers": {"\\udfff": true}}',
    '{"version": 1, "answers": {}, "pid": ' + "9" * 5000 + "}",
    '{"version": 1, "answers": {}, "pid": NaN}',
])
def test_known_bad_shapes_are_set_aside(tmp_path, base, text):
    (tmp_path / "sessions").mkdir()
    path = tmp_path / "sessions" / "20260101-000000-1.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
    session, note = _resume(tmp_path, base)
    assert session is None and "is not a valid session" in note
    assert len(list((tmp_path / "sessions").glob("*.corrupt-*.json"))) == 1


def test_a_valid_session_resumes_with_its_options(tmp_path, base):
    (tmp_path / "sessions").mkdir()
    (tmp_path / "sessions" / "20260101-000000-1.json").write_text(json.dumps(_valid()))
    session, _ = _resume(tmp_path, base)
    assert session.answers["purpose"] == "parody" and session.settled == {"new_purpose"}
    assert session.options == {"save_answers": "/tmp/a.yaml", "format": "json", "trace": False}


def test_the_session_file_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        session = Sessions(tmp_path).new({"format": "json"})
        session.answers["use_summary"] = "Confidential"
        assert session.save()
        assert stat.S_IMODE(session.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(session.path.parent.stat().st_mode) == 0o700
        done = session.finish()
        assert stat.S_IMODE(done.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_each_questionnaire_gets_its_own_file_and_a_held_session_is_refused(tmp_path):
    first, second = Sessions(tmp_path).new(), Sessions(tmp_path).new()
    assert first.path != second.path
    first.unlock()
    again, _ = Sessions(tmp_path).resume(first.id)
    assert again.path == first.path
    with pytest.raises(SessionError, match=f"session {first.id} is in use by process {os.getpid()}"):
        Sessions(tmp_path).resume(first.id)
    second.unlock()
    again.unlock()


def test_resume_picks_the_most_recent_free_session_and_names_the_others(tmp_path):
    older, newer = Sessions(tmp_path).new(), Sessions(tmp_path).new()
    os.utime(older.path, (1, 1))
    older.unlock()
    newer.unlock()
    session, note = Sessions(tmp_path).resume()
    assert session.id == newer.id and older.id in note and "--session" in note
    session.unlock()


def test_a_web_interview_is_resumed_at_its_link_never_picked_up_by_a_terminal(tmp_path):
    from fairuse.web.store import Store

    terminal = Sessions(tmp_path).new()
    os.utime(terminal.path, (1, 1))
    terminal.unlock()
    web = Store(tmp_path).create()  # newer than the terminal's
    session, note = Sessions(tmp_path).resume()
    assert session.id == terminal.id and (note is None or web not in note)
    session.unlock()
    # asked for by its id, the web interview resumes on a terminal too
    again, _ = Sessions(tmp_path).resume(web)
    assert again.id == web
    again.unlock()
    # with only the web interview saved, a terminal starts afresh
    only = tmp_path / "only"
    Store(only).create()
    assert Sessions(only).resume() == (None, "No saved session to resume; starting a new one.")


def test_an_unknown_or_malformed_session_id_is_one_clear_error(tmp_path):
    Sessions(tmp_path).new().unlock()
    with pytest.raises(SessionError, match="no interrupted session 'nope'.*interrupted sessions: "):
        Sessions(tmp_path).resume("nope")
    with pytest.raises(SessionError, match="not a session id"):
        Sessions(tmp_path).resume("../../etc/passwd")


def test_an_unwritable_folder_fails_at_once_in_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SessionError, match=r"cannot save the questionnaire's answers in .*FAIRUSE_DATA_DIR") as info:
        Sessions(blocker / "data").new()
    assert "\n" not in str(info.value)


def test_check_shape_names_what_is_wrong():
    with pytest.raises(Corrupt, match="'unknown': expected a list of fact ids"):
        check_shape({**_valid(), "unknown": None})
    with pytest.raises(Corrupt, match="'options.trace': expected true/false"):
        check_shape({**_valid(), "options": {"trace": "yes"}})


def test_resume_brings_back_rules_casebook_and_every_option(tmp_path, monkeypatch, rules_copy):
    """Issue 11: the session must remember --save-answers, --rules, --casebook and the options shaping the run."""
    from fairuse.questionnaire.start import begin, resume_command
    from fairuse.rules import load_rulebase
    monkeypatch.setenv("FAIRUSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    given = {"save_answers": "out.yaml", "rules": str(rules_copy), "casebook": "cases", "as_of": "2024-06-01",
             "format": "md", "trace": True, "answers": None, "ask_missing": False}
    session, options, base, _ = begin(given, False, None, load_rulebase)
    assert base.root.resolve() == rules_copy.resolve()
    session.answers["use_summary"] = "Remembered"
    session.save()
    session.unlock()
    nothing = dict.fromkeys(given)
    nothing.update(trace=False, ask_missing=False)
    again, remembered, base2, notes = begin(nothing, True, None, load_rulebase)
    assert again.id == session.id and again.answers["use_summary"] == "Remembered"
    assert remembered == {"save_answers": str(tmp_path / "out.yaml"), "rules": str(rules_copy),
                          "casebook": str(tmp_path / "cases"), "as_of": "2024-06-01", "format": "md", "trace": True}
    assert base2.root.resolve() == rules_copy.resolve()
    command = resume_command(again, remembered)
    assert command.startswith(f"FAIRUSE_DATA_DIR={tmp_path / 'data'} fairuse assess --resume --session {session.id}")
    for flag in ("--save-answers", "--rules", "--casebook", "--as-of 2024-06-01", "--format md", "--trace"):
        assert flag in command
    again.unlock()


# ------------------------------------------------------------------ links and files planted (issue 22, "Lost data")

def _interrupted(folder, sid="20260101-000000-1"):
    """A valid interrupted session on disk, its path and its lock's path."""
    (folder / "sessions").mkdir(parents=True, exist_ok=True)
    path = folder / "sessions" / f"{sid}.json"
    path.write_text(json.dumps(_valid(sid)))
    return path, path.with_suffix(".lock")


def test_a_link_planted_as_the_lock_never_destroys_its_target(tmp_path):
    """Issue 22: the lock was opened following links and truncated, so a planted link destroyed its target."""
    victim = tmp_path / "thesis.txt"
    victim.write_text("years of work")
    path, lock = _interrupted(tmp_path / "data")
    os.symlink(victim, lock)
    with pytest.raises(FairuseError, match="not a lock file") as info:
        Sessions(tmp_path / "data").resume()
    assert str(lock) in str(info.value) and "\n" not in str(info.value)
    assert victim.read_text() == "years of work" and lock.is_symlink()
    assert json.loads(path.read_text()) == _valid()  # the session is kept as it was


def test_a_hard_link_planted_as_the_lock_is_locked_but_never_truncated(tmp_path, base):
    victim = tmp_path / "thesis.txt"
    victim.write_text("years of work")
    path, lock = _interrupted(tmp_path / "data")
    os.link(victim, lock)
    session, _ = _resume(tmp_path / "data", base)
    assert session.answers["purpose"] == "parody"
    with pytest.raises(SessionError, match="in use"):  # it still locks the session
        Sessions(tmp_path / "data").resume(session.id)
    assert lock.read_text() == f"{os.getpid()}\n" and os.stat(victim).st_nlink == 1  # a lock file of its own now
    session.unlock()
    assert victim.read_text() == "years of work"


def test_a_lock_left_by_a_killed_questionnaire_is_replaced_by_ours(tmp_path, base):
    path, lock = _interrupted(tmp_path / "data")
    lock.write_text("999999\n")
    session, _ = _resume(tmp_path / "data", base)
    assert lock.read_text() == f"{os.getpid()}\n"
    session.unlock()


def test_a_session_file_that_is_a_link_is_set_aside_and_its_target_kept(tmp_path, base):
    victim = tmp_path / "notes.json"
    victim.write_text(json.dumps(_valid()))
    (tmp_path / "data" / "sessions").mkdir(parents=True)
    link = tmp_path / "data" / "sessions" / "20260101-000000-1.json"
    os.symlink(victim, link)
    session, note = _resume(tmp_path / "data", base)
    assert session is None and "symbolic link" in note and "\n" not in note
    assert victim.read_text() == json.dumps(_valid())
    assert [p for p in (tmp_path / "data" / "sessions").glob("*.corrupt-*.json") if p.is_symlink()]


def test_saving_never_replaces_a_link_planted_as_the_session_file(tmp_path):
    session = Sessions(tmp_path).new()
    victim = tmp_path / "elsewhere.json"
    victim.write_text("precious")
    session.path.unlink()
    os.symlink(victim, session.path)
    session.answers["use_summary"] = "Confidential"
    assert not session.save()
    assert str(session.path) in session.error and "symbolic link" in session.error
    assert victim.read_text() == "precious" and session.path.is_symlink()
    session.unlock()


# ------------------------------------------------------------------ --save-answers (issue 22, "Lost data")

def _begin(monkeypatch, tmp_path, resume=False, **given):
    from fairuse.questionnaire.start import begin
    from fairuse.rules import load_rulebase

    monkeypatch.setenv("FAIRUSE_DATA_DIR", str(tmp_path / "data"))
    options = {"save_answers": None, "rules": None, "casebook": None, "as_of": None, "format": None,
               "trace": False, "answers": None, "ask_missing": False, "force": False, **given}
    return begin(options, resume, None, load_rulebase)


def _refused(call, *needles):
    with pytest.raises(SessionError) as info:
        call()
    assert "\n" not in str(info.value) and str(info.value).startswith("--save-answers: ")
    for needle in needles:
        assert needle in str(info.value), str(info.value)


@pytest.mark.parametrize("force", [False, True])
def test_save_answers_to_a_system_path_is_refused_before_the_first_question(
        no_system_writes, monkeypatch, tmp_path, force):
    """Issue 22: --save-answers /dev/stdout replaced it (as root), without --force: the write was forced."""
    for target in ("/dev/stdout", "/dev/null"):
        _refused(lambda: _begin(monkeypatch, tmp_path, save_answers=target, force=force), target)
    assert not list((tmp_path / "data").glob("sessions/*.json"))  # refused before a session began


def test_save_answers_never_replaces_a_file_without_force(monkeypatch, tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("purpose: parody\n")
    _refused(lambda: _begin(monkeypatch, tmp_path, save_answers=str(mine)), str(mine), "--force")
    session, options, _, _ = _begin(monkeypatch, tmp_path, save_answers=str(mine), force=True)
    assert options["force"] is True and session.options["force"] is True
    from fairuse.questionnaire.start import complete, resume_command
    assert "--force" in resume_command(session, options)
    complete(session, options, {"purpose": "news_reporting"})
    assert "news_reporting" in mine.read_text()


def test_save_answers_never_writes_over_the_answers_read(monkeypatch, tmp_path):
    partial = tmp_path / "partial.yaml"
    partial.write_text("purpose: parody\n")
    _refused(lambda: _begin(monkeypatch, tmp_path, save_answers=str(partial), answers=str(partial), ask_missing=True,
                            force=True), "input")
    assert partial.read_text() == "purpose: parody\n"


def test_a_resumed_session_never_replaces_the_remembered_file_without_force(monkeypatch, tmp_path):
    """Issue 22: a resumed session silently replaced the file its --save-answers names."""
    target = tmp_path / "a.yaml"
    session, options, _, _ = _begin(monkeypatch, tmp_path, save_answers=str(target))
    session.answers["use_summary"] = "Before the break"
    session.save()
    session.unlock()
    target.write_text("written meanwhile\n")
    _refused(lambda: _begin(monkeypatch, tmp_path, resume=True), str(target), "--force")
    assert target.read_text() == "written meanwhile\n"
    again, options, _, _ = _begin(monkeypatch, tmp_path, resume=True, force=True)  # the refusal let go of the lock
    assert again.id == session.id and again.answers["use_summary"] == "Before the break"
    again.unlock()


def test_a_file_that_appears_during_the_questionnaire_is_not_replaced_and_nothing_is_lost(monkeypatch, tmp_path):
    from fairuse.questionnaire.start import complete

    target = tmp_path / "a.yaml"
    session, options, _, _ = _begin(monkeypatch, tmp_path, save_answers=str(target))
    session.answers["use_summary"] = "Kept"
    session.save()
    target.write_text("appeared meanwhile\n")
    with pytest.raises(FairuseError) as info:
        complete(session, options, {"use_summary": "Kept"})
    message = str(info.value)
    assert "\n" not in message and "already exists" in message and "--resume" in message
    assert str(session.path) in message and session.path.exists()
    assert target.read_text() == "appeared meanwhile\n"
