"""The web's sessions: the questionnaire's own session store, with unguessable ids and a lock per request.

A web interview is a :class:`~fairuse.questionnaire.Session` like a terminal one, in
the same folder (``<data dir>/sessions/``), so ``fairuse assess --resume --session ID``
continues it on a terminal. Its id is ``w`` and 32 characters of
:func:`secrets.token_urlsafe` (192 random bits): the link is the only key to the
answers, so it cannot be guessed, and it is never a path (it must match
:data:`WEB_ID` before it comes near the file system). The web opens only such ids.

Every request that reads or changes a session holds its lock (the terminal's
advisory lock, plus a lock per process), reads the file, changes it and saves
it atomically before letting go: two tabs or two users answering at once are
applied one after the other, and no answer is lost. A session a terminal
questionnaire holds is refused in one line until that questionnaire ends.

Forms carry a token signed for their session (:meth:`Secret.token`): a page of
another site cannot post answers into a session. The signing key is
``FAIRUSE_SECRET`` or a private file in the data directory, shared by every worker.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

from ..errors import FairuseError
from ..questionnaire.session import LINK_ID, Corrupt, Session, SessionError, Sessions, write_private

WEB_ID = LINK_ID  # the form of a web interview's id (questionnaire/session.py)
WAIT = 5.0  # seconds a request waits for a session another request holds


class NotFound(FairuseError):
    """No interview with this id (never created, or not a web interview's id)."""


class Busy(FairuseError):
    """The session is held by a terminal questionnaire (or by requests for longer than :data:`WAIT`)."""


def new_id() -> str:
    return "w" + secrets.token_urlsafe(24)


class Store:
    """The sessions under one data directory, as the web opens them."""

    def __init__(self, root: Path | None = None):
        self.sessions = Sessions(root)
        self._locks = [threading.Lock() for _ in range(64)]  # one per slice of ids: bounded, whatever the traffic
        self.wait = WAIT

    @property
    def dir(self) -> Path:
        return self.sessions.dir

    def create(self) -> str:
        """A new, empty interview saved once (so an unwritable folder shows now); its id."""
        try:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            sid = new_id()
            session = Session(self.dir / f"{sid}.json", sid, {})
            session.lock()
            try:
                write_private(session.path, _state(session))
            finally:
                session.unlock()
        except (OSError, FairuseError) as exc:
            why = (exc.strerror or exc) if isinstance(exc, OSError) else exc
            raise SessionError(f"cannot save the interview's answers in {self.dir} ({why}); "
                               f"start the server with FAIRUSE_DATA_DIR set to a folder it can write to") from None
        return sid

    def path(self, sid: str) -> Path:
        if not isinstance(sid, str) or not WEB_ID.match(sid):
            raise NotFound("no interview at this link; check the link, or start a new interview")
        return self.dir / f"{sid}.json"

    @contextlib.contextmanager
    def open(self, sid: str, vocabulary):
        """The session ``sid``, locked and checked against the ruleset; saved by the caller, released after."""
        path = self.path(sid)
        if not path.is_file():
            raise NotFound("no interview at this link (it may have been finished on a terminal); "
                           "start a new interview")
        with self._locks[hash(sid) % len(self._locks)]:
            deadline = time.monotonic() + self.wait
            while True:
                try:
                    session, _note = self.sessions.resume(sid)
                    break
                except SessionError as exc:
                    if not path.is_file():
                        raise NotFound("no interview at this link (it may have been finished on a terminal); "
                                       "start a new interview") from None
                    if time.monotonic() > deadline:
                        raise Busy(f"this interview is open elsewhere: {exc}".replace(
                            "start a new questionnaire without --resume", "then reload this page")) from None
                    time.sleep(0.02)
            try:
                try:
                    session.check(vocabulary)
                except Corrupt as exc:
                    message = session.set_aside(str(exc))
                    raise NotFound(message.replace("a new session starts", "start a new interview")) from None
                yield session
            finally:
                session.unlock()


def _state(session: Session) -> str:
    import json

    return json.dumps(session.state(), indent=2, ensure_ascii=False)


class Secret:
    """The key that signs forms' tokens: ``FAIRUSE_SECRET``, else a private file made once in the data directory."""

    def __init__(self, root: Path):
        env = os.environ.get("FAIRUSE_SECRET")
        self.key = env.encode("utf-8") if env else self._file(Path(root) / "web-secret")

    @staticmethod
    def _file(path: Path) -> bytes:
        try:
            return _read_key(path)
        except FileNotFoundError:
            pass
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".web-secret-", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)  # whole or not at all; another worker's key, if it made one first, wins
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
        return _read_key(path)

    def token(self, purpose: str, value: str) -> str:
        return hmac.new(self.key, f"{purpose}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()

    def check(self, purpose: str, value: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.token(purpose, value), str(token))


def _read_key(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        key = handle.read(256).strip()
    if len(key) < 32:
        raise FairuseError(f"{path}: the web's signing key is too short; delete the file and start again")
    return key
