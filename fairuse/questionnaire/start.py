"""Starting, resuming and finishing a questionnaire run (what ``fairuse assess`` calls).

The options that shape a run are remembered in its session, so ``--resume``
continues the run that stopped: the same ``--save-answers`` target (and
``--force``), rules, casebook, date and output format. An option given again on
the command line wins over the remembered one.

The ``--save-answers`` file is written through :mod:`fairuse.atomic`: checked
before the first question (also on ``--resume``) and again when written; an
existing file is replaced only with ``--force``, the answers file read is never
written over, and a link, folder or special file is refused.
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
    try:
        check_target(merged.get("save_answers"), force=bool(merged.get("force")), inputs=[merged.get("answers")])
    except SessionError:
        if session is not None:
            session.unlock()  # kept as it is, to resume once the target is sorted out
        raise
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


def check_target(path: str | None, force: bool = False, inputs=()) -> None:
    """Say now, not after the last question, when --save-answers cannot be written."""
    from .. import atomic

    if not path:
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise SessionError(f"--save-answers: the folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise SessionError(f"--save-answers: cannot write in {target.parent} (permission denied)")
    try:
        atomic.check_target(target, force=force, inputs=inputs)
    except FairuseError as exc:
        raise SessionError(f"--save-answers: {exc}") from None


def resume_command(session: Session, options: dict) -> str:
    """The whole shell command that continues ``session`` (shell-quoted)."""
    parts = ["fairuse", "assess", "--resume", "--session", session.id]
    for key, flag in FLAGS:
        if options.get(key):
            parts += [flag, str(options[key])]
    for key, flag in (("trace", "--trace"), ("force", "--force")):
        if options.get(key):
            parts.append(flag)
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
            save_answers(Path(target), answers, force=bool(options.get("force")), inputs=[options.get("answers")])
        except (OSError, FairuseError) as exc:
            session.unlock()
            why = str(exc) if isinstance(exc, FairuseError) else f"cannot write {target} ({exc.strerror or exc})"
            raise FairuseError(f"--save-answers: {why}; your answers are kept in {session.path}; "
                               f"to finish later: {resume_command(session, options)}") from None
    session.finish()
    if target:
        return f"Answers saved to {target}; rerun with: {shlex.join(['fairuse', 'assess', '--answers', target])}"
    return None


__all__ = ["Interrupted", "SessionError", "begin", "check_target", "complete", "interrupted_message", "resume_command"]
