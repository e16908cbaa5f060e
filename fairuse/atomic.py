"""Writing files so that nothing is ever half-written: a temporary file, then a rename.

* The file gets the mode any other tool's output gets (``0666`` less the umask),
  unless the caller asks for another (the questionnaire's session file asks
  for ``0o600``: it may hold confidential facts).
* Without ``force`` an existing path is never replaced, and the check is
  atomic: the finished temporary file is hard-linked to the target, which fails
  if anything (a file, a dangling symlink, another writer's file) is there.
* Never replaced, even with ``force``: a directory, a device node, a FIFO or a
  socket (``--out /dev/null`` as root must not turn it into a regular file).
* Every failure (read-only folder, full disk, name too long) is one
  :class:`~fairuse.errors.FairuseError` line naming the path.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import FairuseError


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _check_target(path: Path, force: bool) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FairuseError(f"{path}: cannot write: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise FairuseError(f"{path}: is a directory; give a file name")
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        raise FairuseError(f"{path}: is a device, FIFO or socket, not a regular file; refusing to replace it")
    if not force:
        what = " (a symbolic link)" if stat.S_ISLNK(st.st_mode) else ""
        raise FairuseError(f"{path}: already exists{what}; use --force to overwrite it")


def write_atomic(path: Path | str, data: bytes | str, *, force: bool = True, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically (same-folder temporary file, fsync, rename).

    ``force=False`` never replaces an existing path (atomically, see above);
    ``mode`` defaults to what the umask allows.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    _check_target(path, force)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".fairuse-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _umask_mode() if mode is None else mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            _check_target(path, True)
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if anything is there: exactly one writer wins
            except FileExistsError:
                raise FairuseError(f"{path}: already exists; use --force to overwrite it") from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                # a file system without hard links: O_EXCL creation, then copy
                with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                  _umask_mode() if mode is None else mode), "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
            os.unlink(tmp)
        tmp = None
    except FileExistsError:
        raise FairuseError(f"{path}: already exists; use --force to overwrite it") from None
    except OSError as exc:
        raise FairuseError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
