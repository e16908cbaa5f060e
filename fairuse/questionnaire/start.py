"""Starting, resuming and finishing a questionnaire run (what ``fairuse assess`` calls).

The options that shape a run are remembered in its session, so ``--resume``
continues the run that stopped: the same ``--save-answers`` target, rules,
casebook, date and output format. An option given again on the command line
wins over the remembered one.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from ..errors import FairuseError
from .session import Corrupt, Session, SessionError, Sessions

PATH_OPTIONS = ("save_answers", "rules", "casebook", "answers")
FLAGS = (("save_answers", "--save-answers"), ("rules", "--rules"), ("casebook", "--casebook"),
         ("as_of", "--as-of"), ("format", "--format"))


class Interrupted(Exception):
    """Ctrl-C: the message says where the answers are and the command that continues."""


def _plain(options: dict) -> dict:
    out = {}
    for key, value in options.items():
        if value is None or value is False:
            continue
        out[key] = os.path.abspath(value) if key in PATH_OPTIONS else (value if isinstance(value, bool) else str(value))
    return out


def begin(options: dict, resume: bool, session_id: str | None, load_base) -> tuple[Session, dict, object, list[str]]:
    """(session, options, rulebase, notes) for a run; notes are one-line messages for the user.

    ``options`` are the command line's (None or False when not given);
    ``load_base(rules)`` loads a ruleset. Raises :class:`SessionError` (exit 2)
    when the session cannot be started or resumed.
    """
    store = Sessions()
    notes: list[str] = []
    session = None
    given = _plain(options)
    if resume or session_id:
        session, note = store.resume(session_id)
        if note:
            notes.append(note)
    merged = {**(session.options if session else {}), **given}
    check_target(merged.get("save_answers"))
    base = load_base(Path(merged["rules"]) if merged.get("rules") else None)
    if session is not None:
        try:
            session.check(base.vocabulary)
            session.options = merged
            notes.append(f"Resuming session {session.id}: {len(session.answers)} answers saved, "
                         f"{len(session.settled)} left unknown.")
        except Corrupt as exc:
            notes.append("fairuse: " + session.set_aside(str(exc)))
            session = None
    if session is None:
        session = store.new(merged)
    return session, merged, base, notes


def check_target(path: str | None) -> None:
    """Say now, not after the last question, when --save-answers cannot be written."""
    if not path:
        return
    target = Path(path)
    if target.is_dir():
        raise SessionError(f"--save-answers: {target} is a folder; give a file name")
    if not target.parent.is_dir():
        raise SessionError(f"--save-answers: the folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise SessionError(f"--save-answers: cannot write in {target.parent} (permission denied)")


def resume_command(session: Session, options: dict) -> str:
    """The whole shell command that continues ``session`` (shell-quoted)."""
    parts = ["fairuse", "assess", "--resume", "--session", session.id]
    for key, flag in FLAGS:
        if options.get(key):
            parts += [flag, str(options[key])]
    if options.get("trace"):
        parts.append("--trace")
    command = shlex.join(parts)
    env = os.environ.get("FAIRUSE_DATA_DIR")
    return f"FAIRUSE_DATA_DIR={shlex.quote(env)} {command}" if env else command


def interrupted_message(session: Session, options: dict, answers: dict) -> str:
    session.unlock()
    if session.error is None:
        return (f"Interrupted. Your answers are saved in {session.path}.\n"
                f"To continue: {resume_command(session, options)}")
    import yaml

    from ..answers import to_plain

    return (f"Interrupted. Your answers could NOT be saved ({session.error}); here they are as an answers file. "
            f"Save it and run: fairuse assess --answers FILE --ask-missing\n"
            + yaml.safe_dump(to_plain(answers), sort_keys=False, allow_unicode=True, width=100))


def complete(session: Session, options: dict, answers: dict) -> str | None:
    """Write --save-answers (if given), then put the session away. Returns the line to print, if any.

    If the answers file cannot be written the session is kept, so nothing is lost.
    """
    from . import save_answers

    target = options.get("save_answers")
    if target:
        try:
            save_answers(Path(target), answers)
        except OSError as exc:
            session.unlock()
            raise FairuseError(f"--save-answers: cannot write {target} ({exc.strerror or exc}); your answers are kept "
                               f"in {session.path}; to finish later: {resume_command(session, options)}") from None
    session.finish()
    if target:
        return f"Answers saved to {target}; rerun with: {shlex.join(['fairuse', 'assess', '--answers', target])}"
    return None


__all__ = ["Interrupted", "SessionError", "begin", "check_target", "complete", "interrupted_message", "resume_command"]
