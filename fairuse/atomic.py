"""Every file the tool writes goes through here: a temporary file beside it, then a rename.

One set of rules for every write (``memo --out``, ``assess --save-answers``,
``rules export``, ``rules new``, triage's ``--out``, ``--errors`` and
``--report``, the questionnaire's session files, the parsed-YAML and
compiled-template caches):

* The file gets the mode any other tool's output gets (``0666`` less the umask),
  unless the caller asks for another (the questionnaire's session file asks
  for ``0o600``: it may hold confidential facts).
* Without ``force`` an existing path is never replaced, and the check is
  atomic: the finished temporary file is hard-linked to the target, which fails
  if anything (a file, a dangling symlink, another writer's file) is there.
* Never followed or replaced, even with ``force``: a symbolic link (``/dev/stdout``
  is one: replacing it as root would replace the system's), a directory, a
  device node, a FIFO or a socket. The tool writes regular files only; anything
  else is refused in one line, and nothing is opened there.
* Never replaced, even with ``force``: a file the same command reads (its
  ``inputs``), compared by resolved path and by device and inode, so a hard
  link or a symbolic link to the input is caught too.
* The target is checked when the write is prepared (so a refusal comes before a
  long run, not after it) and again just before the rename.
* Every failure (read-only folder, full disk, name too long) is one
  :class:`~fairuse.errors.FairuseError` line naming the path.

Lock files are opened by :func:`open_lock`: never through a symbolic link, never
a special file, and the caller learns whether it created the file (a lock file
it did not create is never truncated).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import FairuseError

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NOCTTY = getattr(os, "O_NOCTTY", 0)


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _what(st: os.stat_result) -> str | None:
    """What a path that is not a regular file is (None for a regular file)."""
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link"
    if stat.S_ISDIR(st.st_mode):
        return "a directory"
    if not stat.S_ISREG(st.st_mode):
        return "a device, FIFO or socket"
    return None


def _refusal(path: Path, st: os.stat_result) -> str | None:
    """Why an existing ``path`` can never be written, even with ``force`` (None for a regular file)."""
    what = _what(st)
    if what == "a symbolic link":
        return (f"{path}: already exists as a symbolic link; fairuse never writes through a link or replaces one, "
                f"even with --force; give the path of a regular file")
    if what == "a directory":
        return f"{path}: is a directory; give a file name"
    if what:
        return (f"{path}: is a device, FIFO or socket, not a regular file; fairuse writes regular files only "
                f"and never writes to or replaces anything else, even with --force")
    return None


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FairuseError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _same_file(path: Path, st: os.stat_result | None, source) -> bool:
    if os.path.realpath(path) == os.path.realpath(source):
        return True
    if st is None:
        return False
    try:
        other = os.stat(source)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino)


def check_target(path: Path | str, *, force: bool = False, inputs: Iterable = (), forceable: bool = True) -> None:
    """Raise :class:`FairuseError` (one line naming ``path`` and why) unless ``path`` may be written.

    ``inputs`` are the files the same command reads (``None`` entries are ignored);
    ``forceable=False`` for a command without ``--force`` (the message does not offer it).
    """
    path = Path(path)
    st = _lstat(path)
    if st is not None:
        why = _refusal(path, st)
        if why:
            raise FairuseError(why)
    for source in inputs:
        if source is not None and _same_file(path, st, source):
            also = "" if str(source) == str(path) else f" ({source})"
            raise FairuseError(f"{path}: is an input of this command{also}; fairuse never writes over its input, "
                               f"even with --force; give another file name")
    if st is not None and not force:
        raise FairuseError(f"{path}: already exists" + ("; use --force to overwrite it" if forceable else ""))


def check_distinct(outputs: dict) -> None:
    """Refuse two outputs of one command that are the same file (``{"--out": path, ...}``; None ignored)."""
    seen: list = []
    for flag, path in outputs.items():
        if path is None:
            continue
        for other_flag, other in seen:
            if _same_file(Path(path), _lstat_quiet(path), other):
                raise FairuseError(f"{path}: given as both {other_flag} and {flag}; give each its own file")
        seen.append((flag, path))


def _lstat_quiet(path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


class Staged:
    """A file being written: a private temporary file beside ``path``, put in place by :meth:`commit`.

    Checked at once (:func:`check_target`), so a refusal comes before the work.
    :attr:`file` is a binary file object (``sync=False``: no fsync, for caches);
    :meth:`discard` removes the temporary file and leaves ``path`` as it was.
    Used as a context manager it commits on success and discards on an exception.
    """

    def __init__(self, path: Path | str, *, force: bool = False, mode: int | None = None, inputs: Iterable = (),
                 forceable: bool = True, sync: bool = True):
        self.path = Path(path)
        self.force = force
        self.sync = sync  # False for a cache, rebuilt if a crash loses it
        self.inputs = [p for p in inputs if p is not None]
        self.forceable = forceable
        self.tmp: str | None = None
        self.mode = _umask_mode() if mode is None else mode
        self.check()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=".fairuse-", suffix=".tmp", dir=self.path.parent)
            self.file = os.fdopen(fd, "wb")
            os.fchmod(fd, self.mode)
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None

    def check(self) -> None:
        check_target(self.path, force=self.force, inputs=self.inputs, forceable=self.forceable)

    def _error(self, exc: OSError) -> FairuseError:
        if isinstance(exc, FileExistsError):
            hint = "; use --force to overwrite it" if self.forceable else ""
            return FairuseError(f"{self.path}: already exists{hint}")
        return FairuseError(f"{self.path}: cannot write: {exc.strerror or exc}")

    def write(self, data: bytes) -> None:
        try:
            self.file.write(data)
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None

    def commit(self) -> None:
        """Put the finished file in place (checked again first); on any failure nothing is left behind."""
        if self.tmp is None:
            raise FairuseError(f"{self.path}: cannot write: the file was abandoned after an earlier error")
        try:
            try:
                if not self.file.closed:
                    self.file.flush()
                    if self.sync:
                        os.fsync(self.file.fileno())
                    self.file.close()
                self.check()
                if self.force:
                    os.replace(self.tmp, self.path)
                    self.tmp = None
                else:
                    self._link()
            except OSError as exc:
                raise self._error(exc) from None
        finally:
            self.discard()

    def _link(self) -> None:
        try:
            os.link(self.tmp, self.path)  # fails if anything is there: exactly one writer wins
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # a file system without hard links: O_EXCL creation (never through a link), then copy
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC
            fd = os.open(self.path, flags, self.mode)
            try:
                with open(self.tmp, "rb") as src, open(fd, "wb") as out:
                    shutil.copyfileobj(src, out)
                    out.flush()
                    if self.sync:
                        os.fsync(out.fileno())
            except BaseException:
                os.unlink(self.path)  # ours (O_EXCL): never a half-copied file
                raise

    def discard(self) -> None:
        """Remove the temporary file (if any); the target is left as it was."""
        file = getattr(self, "file", None)
        if file is not None and not file.closed:
            try:
                file.close()
            except OSError:
                pass
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None

    def __enter__(self) -> "Staged":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def write_atomic(path: Path | str, data: bytes | str, *, force: bool = False, mode: int | None = None,
                 inputs: Iterable = (), forceable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (same-folder temporary file, fsync, rename).

    ``force=False`` never replaces an existing path (atomically, see above);
    ``mode`` defaults to what the umask allows; ``inputs`` are never written over.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    with Staged(path, force=force, mode=mode, inputs=inputs, forceable=forceable) as staged:
        staged.write(data)


def open_lock(path: Path | str) -> tuple[int, bool]:
    """Open the lock file ``path`` read-write, creating it (0600) if absent: ``(fd, created)``.

    Never through a symbolic link (``O_NOFOLLOW``) and never a directory, device
    or FIFO: those are refused in one line (:class:`FairuseError`), untouched.
    The caller must not truncate a file it did not create (``created`` False).
    """
    path = Path(path)
    flags = os.O_RDWR | NOFOLLOW | CLOEXEC | NOCTTY
    for _ in range(3):  # the file may come and go between the calls: another questionnaire finishing
        try:
            return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600), True
        except FileExistsError:
            pass
        st = _lstat(path)
        if st is not None:
            break
    else:
        raise FairuseError(f"{path}: keeps appearing and disappearing; try again")
    what = _what(st)
    if what:
        raise FairuseError(f"{path}: is {what}, not a lock file fairuse made; it is left as it is; "
                           f"remove it to go on")
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a link since the check
            raise FairuseError(f"{path}: is a symbolic link, not a lock file fairuse made; it is left as it is; "
                               f"remove it to go on") from None
        raise
    opened = os.fstat(fd)
    if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino) or not stat.S_ISREG(opened.st_mode):
        os.close(fd)
        raise FairuseError(f"{path}: changed while being opened; it is left as it is; try again")
    return fd, False
