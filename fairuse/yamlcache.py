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
* a missing, corrupt, foreign (owned by another user, or writable by others) or
  unreadable cache file is ignored and rebuilt; a folder that cannot be written
  turns the cache off for the process, silently: never a traceback.

Only a file that parsed cleanly is cached; a file with an error is parsed (and
its error reported) every time. Each hit returns a fresh copy, so a caller may
change what it gets.
"""

from __future__ import annotations

import hashlib
import os
import pickle
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
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not ours_alone(info):
                    return  # never unpickle it
                entries = pickle.load(handle)
            if isinstance(entries, dict):
                self.entries = entries
        except Exception:  # missing, truncated, corrupt: start empty  # noqa: BLE001
            self.entries = {}

    def get(self, name: str, digest: bytes):
        entry = self.entries.get(name)
        if not entry or entry[0] != digest:
            return _MISS
        try:
            return pickle.loads(entry[1])
        except Exception:  # noqa: BLE001
            return _MISS

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


def cached_parse(path: Path, raw: bytes, parse):
    """``parse()``'s value for the file ``path`` whose bytes are ``raw``, from the cache if it holds them."""
    store = _store_for(path)
    if store is None:
        return parse()
    digest = hashlib.blake2b(raw, digest_size=20).digest()
    value = store.get(path.name, digest)
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
