"""A cache of parsed YAML for the rules and the casebook, kept between processes.

Every process used to parse the ruleset and the casebook again (about 160 files,
a tenth of a second of YAML). The cache keeps each file's parsed value, keyed by
a hash of the file's bytes, in one pickle per folder under the user's cache
directory (``platformdirs.user_cache_dir("fairuse")``; the environment variable
``FAIRUSE_CACHE_DIR`` names another folder, and set to an empty string turns the
cache off). So:

* an edited file (any change of its bytes) is parsed again: there is no date or
  size to fool;
* the package version, the Python version and PyYAML's version are part of each
  cache file's name, so an upgrade never reads an old cache;
* a missing, corrupt, foreign (owned by another user, or writable by others),
  unreadable or special cache file (a link is never followed, a FIFO never
  waited on), or one of another shape, is ignored and rebuilt; a folder that
  cannot be written turns the cache off for the process, silently: never a
  traceback.

Only a file that parsed cleanly is cached; a file with an error is parsed (and
its error reported) every time. Each hit returns a fresh copy, so a caller may
change what it gets.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path

_FORMAT = 1  # bump when what is stored changes
_MAX_FILES = 64  # cache files kept (one per folder read); the oldest go first

_stores: dict[str, _Store] = {}
_disabled: set[str] = set()  # cache directories found unwritable in this process


def cache_dir() -> Path | None:
    """The folder the cache lives in, or None when ``FAIRUSE_CACHE_DIR`` is set empty."""
    env = os.environ.get("FAIRUSE_CACHE_DIR")
    if env is not None:
        return Path(env) if env.strip() else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("fairuse"))


def _stamp() -> str:
    import yaml

    from . import __version__

    return f"{_FORMAT}|{__version__}|{sys.version_info[:2]}|{yaml.__version__}"


def ours_alone(info: os.stat_result) -> bool:
    """Is a cache file or folder (its ``stat``) owned by this user and writable by nobody else?
    Only then may what it holds be loaded (a pickle, compiled code)."""
    return not hasattr(os, "getuid") or (info.st_uid == os.getuid() and not info.st_mode & 0o022)


class _Store:
    """The cached files of one folder: file name -> (hash of its bytes, pickled value)."""

    def __init__(self, path: Path, source: Path):
        self.path = path
        self.source = source  # the folder whose files it holds
        self.entries: dict[str, tuple[bytes, bytes]] = {}
        self.dirty = False
        try:
            data = read_private(path, MAX_CACHE_BYTES)
            entries = pickle.loads(data) if data is not None else None
        except Exception:  # missing, truncated, corrupt: start empty  # noqa: BLE001
            entries = None
        if isinstance(entries, dict) and all(
                type(name) is str and type(entry) is tuple and len(entry) == 2
                and type(entry[0]) is bytes and type(entry[1]) is bytes for name, entry in entries.items()):
            self.entries = entries  # else a cache of another shape: ignored, then replaced

    def get(self, name: str, digest: bytes, check=None):
        """The value cached for ``name`` with these bytes, if ``check(value)`` holds (its shape), else a miss."""
        entry = self.entries.get(name)
        if not entry or entry[0] != digest:
            return _MISS
        try:
            value = pickle.loads(entry[1])
        except Exception:  # noqa: BLE001
            value = _MISS
        if value is _MISS or (check is not None and not check(value)):
            del self.entries[name]  # parsed again, and stored afresh
            return _MISS
        return value

    def put(self, name: str, digest: bytes, value) -> None:
        try:
            self.entries[name] = (digest, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            self.dirty = True
        except Exception:  # noqa: BLE001  (an unpicklable value is simply not cached)
            pass

    def flush(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        for name in [n for n in self.entries if not (self.source / n).is_file()]:
            del self.entries[name]  # a file removed since
        folder = self.path.parent
        if str(folder) in _disabled:
            return
        from .atomic import Staged
        from .errors import FairuseError

        try:
            folder.mkdir(parents=True, exist_ok=True)
            # never through a link or over a special file planted at its name (see fairuse.atomic)
            with Staged(self.path, force=True, mode=0o600, sync=False) as staged:
                pickle.dump(self.entries, staged.file, protocol=pickle.HIGHEST_PROTOCOL)
            _prune(folder)
        except (OSError, FairuseError):
            _disabled.add(str(folder))


_MISS = object()
MAX_CACHE_BYTES = 64 * 1024 * 1024  # a cache file larger than this is not one of ours


def read_private(path: Path, limit: int) -> bytes | None:
    """The bytes of a cache file, or None: read only if it is a regular file (a link is not followed, a FIFO
    never blocks the run), owned by this user, writable by nobody else and at most ``limit`` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not ours_alone(info) or info.st_size > limit:
            return None  # never unpickled, never waited on
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None




def _prune(folder: Path) -> None:
    files = sorted(folder.glob("yaml-*.pickle"), key=lambda p: p.stat().st_mtime_ns)
    for old in files[:-_MAX_FILES]:
        old.unlink(missing_ok=True)


def _store_for(path: Path) -> _Store | None:
    root = cache_dir()
    if root is None or str(root) in _disabled:
        return None
    folder = path.parent.resolve()
    key = hashlib.blake2b(f"{_stamp()}|{folder}".encode(), digest_size=12).hexdigest()
    store = _stores.get(key)
    if store is None or store.path.parent != root:
        store = _stores[key] = _Store(root / f"yaml-{key}.pickle", folder)
    return store


def cached_parse(path: Path, raw: bytes, parse, check=None):
    """``parse()``'s value for the file ``path`` whose bytes are ``raw``, from the cache if it holds them
    (and ``check(value)`` holds: a value of another shape is parsed again)."""
    store = _store_for(path)
    if store is None:
        return parse()
    digest = hashlib.blake2b(raw, digest_size=20).digest()
    value = store.get(path.name, digest, check)
    if value is not _MISS:
        return value
    value = parse()
    store.put(path.name, digest, value)
    return value


def flush() -> None:
    """Write what was parsed since the last flush (the loaders call this once a folder is read)."""
    for store in list(_stores.values()):
        store.flush()


import atexit  # noqa: E402

atexit.register(flush)
