"""Never lose an answer: one session file per questionnaire, saved after every answer.

Sessions live in ``<data dir>/sessions/`` (``FAIRUSE_DATA_DIR`` overrides the
user's data directory): ``<id>.json`` holds the answers so far and the options
that shape the run (``--save-answers``, ``--rules``, ``--casebook``, ``--as-of``,
``--format``, ...), so ``--resume`` continues exactly the run that stopped.
Each file is written atomically (temporary file, fsync, rename) with mode 0600,
since it may hold confidential facts. A questionnaire holds an advisory lock on
``<id>.lock`` (with its process id) while it runs: two questionnaires never share
a file, and a session in use cannot be resumed twice. The kernel drops the lock
when a process dies, even by ``kill -9``. Session and lock files are opened
without following symbolic links (:mod:`fairuse.atomic`); a lock file this
process did not create is never truncated or written to.

A session file is validated as a whole before it is used; a corrupt one is
moved aside (``<id>.corrupt-<time>.json``, kept) and reported in one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..answers import check_value, to_plain
from ..errors import FairuseError

try:  # POSIX advisory locks; elsewhere sessions still never share a file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

VERSION = 2
MAX_BYTES = 1_000_000  # a session holds a few dozen answers; anything larger is not one of ours
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# a session started from a link (the web interview): resumed by its id, never picked as "the most recent"
LINK_ID = re.compile(r"^w[A-Za-z0-9_-]{32}$")
OPTIONS = {"save_answers": str, "rules": str, "casebook": str, "as_of": str, "format": str,
           "answers": str, "trace": bool, "ask_missing": bool, "force": bool}
TOP_KEYS = {"version", "id", "saved", "pid", "options", "answers", "unknown", "history"}


class SessionError(FairuseError):
    """A session cannot be started or resumed (one line, exit status 2)."""


class Corrupt(ValueError):
    """A session file that is not a valid session."""


def data_dir() -> Path:
    env = os.environ.get("FAIRUSE_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("fairuse", appauthor=False))


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600 (temporary file, fsync, rename).

    Through :mod:`fairuse.atomic`: a symbolic link, folder or special file planted at
    ``path`` is refused (:class:`~fairuse.errors.FairuseError`), never followed or replaced.
    """
    from ..atomic import write_atomic

    write_atomic(path, text, force=True, mode=0o600)


# ------------------------------------------------------------------ validation


def _printable(text: str, limit: int = 300) -> str:
    """One line, no control characters (they are shown escaped), at most ``limit`` characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return text if len(text) <= limit else text[:limit] + "…"


def _type_name(value) -> str:
    return {dict: "an object", list: "a list", str: "a text", bool: "true/false", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def check_shape(state, stem: str | None = None) -> dict:
    """Check everything about a parsed session that needs no ruleset; raise :class:`Corrupt`."""
    if not isinstance(state, dict):
        raise Corrupt(f"expected an object, got {_type_name(state)}")
    extra = sorted(set(state) - TOP_KEYS)
    if extra:
        raise Corrupt(f"unexpected key '{extra[0]}'")
    version = state.get("version")
    if type(version) is not int or version not in (1, VERSION):
        raise Corrupt(f"'version': expected 1 or {VERSION}, got {version!r}"[:200])
    if version == VERSION:
        for key in ("id", "options"):
            if key not in state:
                raise Corrupt(f"'{key}' is missing")
        if not isinstance(state["id"], str) or not ID_PATTERN.match(state["id"]):
            raise Corrupt("'id': expected a session id")
        if stem is not None and state["id"] != stem:
            raise Corrupt(f"'id' is '{state['id']}' but the file is {stem}.json")
    if "saved" in state and not isinstance(state["saved"], str):
        raise Corrupt(f"'saved': expected a text, got {_type_name(state['saved'])}")
    if "pid" in state and type(state["pid"]) is not int:
        raise Corrupt(f"'pid': expected a number, got {_type_name(state['pid'])}")
    options = state.get("options", {})
    if not isinstance(options, dict):
        raise Corrupt(f"'options': expected an object, got {_type_name(options)}")
    for key, value in options.items():
        if key not in OPTIONS:
            raise Corrupt(f"'options': unexpected key '{str(key)[:60]}'")
        if value is not None and type(value) is not OPTIONS[key]:
            raise Corrupt(f"'options.{key}': expected {_type_name(OPTIONS[key]())}, got {_type_name(value)}")
    if options.get("as_of") is not None:
        try:
            dt.date.fromisoformat(options["as_of"])
        except ValueError:
            raise Corrupt("'options.as_of': expected a date YYYY-MM-DD") from None
    if options.get("format") not in (None, "text", "json", "md"):
        raise Corrupt("'options.format': expected text, json or md")
    answers = state.get("answers")
    if not isinstance(answers, dict):
        raise Corrupt(f"'answers': expected an object, got {_type_name(answers)}")
    for key, value in answers.items():
        ok = value is None or isinstance(value, (bool, str)) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value))
        if not ok:
            raise Corrupt(f"'answers.{str(key)[:60]}': expected true/false, a text or a list of texts, got {_type_name(value)}")
    for key in ("unknown", "history"):
        items = state.get(key, [])
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise Corrupt(f"'{key}': expected a list of fact ids")
        if len(set(items)) != len(items):
            raise Corrupt(f"'{key}': a fact appears twice")
    both = set(answers) & set(state.get("unknown", []))
    if both:
        raise Corrupt(f"'{sorted(both)[0]}' is both answered and left unknown")
    stray = [f for f in state.get("history", []) if f not in answers and f not in state.get("unknown", [])]
    if stray:
        raise Corrupt(f"'history': '{stray[0][:60]}' was neither answered nor left unknown")
    return state


def check_facts(state: dict, vocabulary, where: str) -> tuple[dict, set, list]:
    """(answers, facts left unknown, history) checked against the ruleset's vocabulary; raise :class:`Corrupt`."""
    answers = {}
    try:
        for key, value in state["answers"].items():
            value = check_value(vocabulary, key, value, where)
            if value is not None:
                answers[key] = value
        for key in ("unknown", "history"):
            for fact in state.get(key, []):
                vocabulary.require(fact, f"{where}: '{key}'")
    except FairuseError as exc:
        raise Corrupt(str(exc).removeprefix(f"{where}: ")[:300]) from None
    return answers, set(state.get("unknown", [])), list(state.get("history", []))


def read_state(path: Path) -> dict:
    """Parse and shape-check a session file; raise :class:`Corrupt` (or FileNotFoundError).

    Opened without following a symbolic link; a link or a special file is not a session.
    """
    if stat.S_ISLNK(os.lstat(path).st_mode):
        raise Corrupt("a symbolic link, not a session file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Corrupt("not a regular file")
        if info.st_size > MAX_BYTES:
            raise Corrupt(f"{info.st_size} bytes, more than a session ever holds ({MAX_BYTES})")
        data = handle.read(MAX_BYTES + 1)
    try:
        state = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise Corrupt("nested too deeply") from None
    except ValueError as exc:  # not UTF-8, not JSON, a number of 5,000 digits, NaN
        raise Corrupt(f"not JSON ({str(exc)[:120]})") from None
    try:
        _check_text(state)
        return check_shape(state, path.stem if path.parent.name == "sessions" and ID_PATTERN.match(path.stem) else None)
    except RecursionError:
        raise Corrupt("nested too deeply") from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(state) -> None:
    """Every text in the session is valid Unicode: JSON's ``"\\ud800"`` (half of a pair) cannot be saved,
    printed or written to an answers file, so a session holding one is not a session of ours."""
    stack = [state]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise Corrupt("a text holds half of a UTF-16 surrogate pair (\\ud800-\\udfff), not valid Unicode")
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


# ------------------------------------------------------------------ one session


@dataclass
class Session:
    """The answers so far of one questionnaire, saved after every answer."""

    path: Path
    id: str
    options: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)
    settled: set = field(default_factory=set)  # facts the user chose to leave unknown
    history: list = field(default_factory=list)  # facts in the order asked
    raw: dict | None = None  # the parsed file, before the ruleset checked it
    error: str | None = None  # why the last save failed, if it did
    corrupt: str | None = None  # why the file read is not a valid session, if it is not
    _lock: list | None = None  # the lock files' descriptors, held while the questionnaire runs

    def state(self) -> dict:
        return {"version": VERSION, "id": self.id, "saved": dt.datetime.now().isoformat(timespec="seconds"),
                "pid": os.getpid(), "options": dict(self.options), "answers": to_plain(self.answers),
                "unknown": sorted(self.settled), "history": list(self.history)}

    def save(self) -> bool:
        """Save now; on failure remember why (see :attr:`error`) and return False. Never raises."""
        try:
            write_private(self.path, json.dumps(self.state(), indent=2, ensure_ascii=False))
        except (OSError, FairuseError) as exc:  # a FairuseError's one line names the file
            self.error = str(exc) if isinstance(exc, FairuseError) else f"{exc.strerror or exc} ({self.path})"
            return False
        self.error = None
        return True

    def check(self, vocabulary) -> None:
        """Check the loaded answers against the ruleset; raise :class:`Corrupt`."""
        if self.corrupt is not None:
            raise Corrupt(self.corrupt)
        if self.raw is not None:
            self.answers, self.settled, self.history = check_facts(self.raw, vocabulary, str(self.path))
            self.raw = None

    def lock(self) -> None:
        """Take the session's lock, or raise :class:`SessionError` naming the process that holds it."""
        if fcntl is None:
            return
        from ..atomic import open_lock

        fd, created = open_lock(self.path.with_suffix(".lock"))  # never through a link, never a special file
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            holder = holder if holder.isdigit() else "another process"
            raise SessionError(f"session {self.id} is in use by process {holder} (a questionnaire still running); "
                               f"finish or stop that one first, or start a new questionnaire without --resume") from None
        self._lock = [fd]
        if created:
            os.write(fd, f"{os.getpid()}\n".encode())
        else:  # left by a questionnaire that was killed, or planted: never truncated, replaced by one of ours
            fresh = _fresh_lock(self.path.with_suffix(".lock"))
            if fresh is not None:
                self._lock.append(fresh)

    def unlock(self) -> None:
        for fd in self._lock or ():
            os.close(fd)
        self._lock = None

    def finish(self) -> Path | None:
        """Put a finished session away (``done/<id>.json``, kept private) and release it."""
        done = self.path.parent / "done"
        target = None
        try:
            done.mkdir(mode=0o700, exist_ok=True)
            target = done / self.path.name
            os.replace(self.path, target)
            self.path.with_suffix(".lock").unlink(missing_ok=True)
        except OSError:
            target = None
        self.unlock()
        return target

    def set_aside(self, reason: str) -> str:
        """Move a corrupt session file aside (kept) and release it; return the one-line report."""
        reason = _printable(reason)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.id}.corrupt-{stamp}.json")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.id}.corrupt-{stamp}-{n}.json")
        try:
            os.replace(self.path, aside)
            kept = f"it was kept as {aside}"
        except OSError as exc:
            kept = f"it could not be moved aside ({exc.strerror}) and is left in place"
        self.unlock()
        return f"the saved session {self.path} is not a valid session ({reason}); {kept}; a new session starts"


def _fresh_lock(lock_path: Path) -> int | None:
    """A new lock file holding our process id, locked, renamed over ``lock_path`` (whose lock we hold too).

    So an existing lock file is never truncated: if it was a hard link to something
    else, only that name goes. A process that opened the old file finds it locked,
    and one that opens the path now finds ours. None if it cannot be done (the old
    file, still locked, then keeps its content).
    """
    fd, tmp = tempfile.mkstemp(prefix=".lock-", suffix=".tmp", dir=lock_path.parent)  # mode 0600
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(tmp, lock_path)
        return fd
    except OSError:
        os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return None


# ------------------------------------------------------------------ all sessions


class Sessions:
    """The sessions under one data directory."""

    def __init__(self, directory: Path | None = None):
        self.root = Path(directory) if directory else data_dir()
        self.dir = self.root / "sessions"

    def new(self, options: dict | None = None) -> Session:
        """A fresh session of its own, locked and saved once (so an unwritable folder shows now)."""
        try:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            base_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
            sid, n = base_id, 1
            while (self.dir / f"{sid}.json").exists():
                n += 1
                sid = f"{base_id}-{n}"
            session = Session(self.dir / f"{sid}.json", sid, dict(options or {}))
            session.lock()
            write_private(session.path, json.dumps(session.state(), indent=2, ensure_ascii=False))
        except (OSError, FairuseError) as exc:
            if isinstance(exc, SessionError):
                raise
            why = (exc.strerror or exc) if isinstance(exc, OSError) else exc
            raise SessionError(
                f"cannot save the questionnaire's answers in {self.dir} ({why}); "
                f"set FAIRUSE_DATA_DIR to a folder you can write to, or give an answers file with --answers") from None
        return session

    def interrupted(self) -> list[Path]:
        """Interrupted session files, the most recently saved first."""
        try:
            paths = [p for p in self.dir.iterdir() if p.suffix == ".json" and ID_PATTERN.match(p.stem)
                     and p.is_file()]
        except OSError:
            return []

        def mtime(p: Path) -> float:
            try:
                return p.stat().st_mtime
            except OSError:
                return 0.0

        return sorted(paths, key=lambda p: (mtime(p), p.name), reverse=True)

    def _migrate_legacy(self) -> None:
        """A session.json from before sessions had their own files becomes one of them."""
        legacy = self.root / "session.json"
        if not legacy.is_file():
            return
        try:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            stamp = dt.datetime.fromtimestamp(legacy.stat().st_mtime).strftime("%Y%m%d-%H%M%S")
            target = self.dir / f"{stamp}-legacy.json"
            if not target.exists():
                os.replace(legacy, target)
        except OSError:
            pass

    def _open(self, path: Path) -> Session:
        session = Session(path, path.stem)
        session.lock()
        return session

    def resume(self, session_id: str | None = None) -> tuple[Session | None, str | None]:
        """The session to continue (locked) and a one-line note, or (None, note) to start afresh.

        Raises :class:`SessionError` when the session asked for does not exist or is in use.
        """
        self._migrate_legacy()
        if session_id is not None:
            if not ID_PATTERN.match(session_id):
                raise SessionError(f"--session: '{session_id[:80]}' is not a session id (letters, digits, - and _)")
            path = self.dir / f"{session_id}.json"
            if not path.is_file():
                known = [p.stem for p in self.interrupted()]
                listed = f"; interrupted sessions: {', '.join(known[:5])}" if known else "; there is no interrupted session"
                raise SessionError(f"--session: no interrupted session '{session_id}' in {self.dir}{listed}")
            return self._load(self._open(path)), None
        # a web interview goes on at its link (or here with --session ID): a terminal does not pick it up unasked
        candidates = [p for p in self.interrupted() if not LINK_ID.match(p.stem)]
        busy = None
        for path in candidates:
            try:
                session = self._open(path)
            except SessionError as exc:
                busy = busy or exc
                continue
            if not path.is_file():  # finished by its owner between the listing and the lock
                session.unlock()
                continue
            others = [p.stem for p in candidates if p != path]
            note = None
            if others:
                more = f" and {len(others) - 3} more" if len(others) > 3 else ""
                note = (f"Resuming session {path.stem}, the most recent; others: {', '.join(others[:3])}{more} "
                        f"(continue one with: fairuse assess --resume --session ID)")
            return self._load(session), note
        if busy is not None:
            raise busy
        return None, "No saved session to resume; starting a new one."

    def _load(self, session: Session) -> Session:
        """Read the file into the (locked) session; :meth:`Session.check` reports a corrupt one."""
        try:
            state = read_state(session.path)
        except Corrupt as exc:
            session.corrupt = str(exc)
            return session
        except OSError as exc:
            session.corrupt = f"cannot be read: {exc.strerror or exc}"
            return session
        session.raw = state
        session.options = {k: v for k, v in state.get("options", {}).items() if v is not None}
        return session
