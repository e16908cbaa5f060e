"""The memo's compiled templates, kept between processes.

Every process compiled the memo's Jinja2 templates again: its fourteen template
files, the ``application:`` of each rule the memo shows and the sentences of
``facts_prose.yaml`` (sixty templates, a third of the time a memo takes). Jinja2
can keep what it compiles (a "bytecode cache"); this one lives beside the parsed
YAML (:func:`fairuse.yamlcache.cache_dir`: ``FAIRUSE_CACHE_DIR``, empty = off),
one folder per kind of memo (HTML or Markdown escape differently, so their
compiled code differs), named for the versions of fairuse, Jinja2 and Python.

* A template's entry is keyed by its name and file (a string template: a hash of
  its text) and checked against a hash of its source: an edited template is
  compiled again, never read stale.
* A file owned by another user, or writable by others, is never loaded (it
  holds code); nor is a link (never followed) or a FIFO or device (never waited
  on); a corrupt one, or one holding something else than compiled code, is
  compiled again; a folder that cannot be written turns the cache off,
  silently: never a traceback.
"""

from __future__ import annotations

import hashlib
import io
import sys
import time
import types
from pathlib import Path

from jinja2 import FileSystemBytecodeCache

from .yamlcache import cache_dir, ours_alone, read_private

MAX_FILES = 4096  # compiled templates kept per folder; the oldest go first
MAX_ENTRY_BYTES = 16 * 1024 * 1024  # a compiled template larger than this is not one of ours
STALE_DAYS = 30  # folders of other versions unused this long are removed


class _Cache(FileSystemBytecodeCache):
    def __init__(self, directory: str):
        super().__init__(directory, "%s.jinja")
        self.writable = True
        self.written = 0

    def load_bytecode(self, bucket) -> None:
        # a regular file of ours only: a link is not followed, a FIFO never waited on, another's never loaded
        data = read_private(Path(self._get_cache_filename(bucket)), MAX_ENTRY_BYTES)
        if data is None:
            return
        try:
            bucket.load_bytecode(io.BytesIO(data))  # a wrong magic or a corrupt file leaves the bucket empty
        except Exception:  # noqa: BLE001 - anything odd in the file: compile afresh
            bucket.reset()
        if bucket.code is not None and not isinstance(bucket.code, types.CodeType):
            bucket.reset()  # something else than compiled code: compile afresh

    def dump_bytecode(self, bucket) -> None:
        if not self.writable:
            return
        from .atomic import Staged
        from .errors import FairuseError

        try:  # Jinja2's own dump_bytecode would replace a link or a special file planted at the name
            with Staged(self._get_cache_filename(bucket), force=True, mode=0o600, sync=False) as staged:
                bucket.write_bytecode(staged.file)
            self.written += 1
        except (OSError, FairuseError):
            self.writable = False
        if self.written and self.written % 256 == 0:
            _prune(Path(self.directory))


def bytecode_cache(flavor: str) -> _Cache | None:
    """The cache for templates compiled with ``flavor``'s settings, or None (cache off or unusable)."""
    root = cache_dir()
    if root is None:
        return None
    import jinja2

    from . import __version__

    stamp = hashlib.blake2b(f"{flavor}|{__version__}|{jinja2.__version__}|{sys.version_info[:2]}".encode(),
                            digest_size=8).hexdigest()
    folder = root / f"jinja-{stamp}"
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            _remove_stale(root, keep=folder)
        if not ours_alone(folder.stat()):
            return None
    except OSError:
        return None
    return _Cache(str(folder))


def string_key(source: str) -> str:
    """The file name a string template's entry is keyed by (its text's hash)."""
    return hashlib.blake2b(source.encode("utf-8"), digest_size=16).hexdigest()


def _prune(folder: Path) -> None:
    try:
        files = sorted(folder.glob("*.jinja"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-MAX_FILES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _remove_stale(root: Path, keep: Path) -> None:
    """Folders of other versions, unused for :data:`STALE_DAYS`."""
    import shutil

    cutoff = time.time() - STALE_DAYS * 86400
    try:
        for folder in root.glob("jinja-*"):
            if folder != keep and folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass
