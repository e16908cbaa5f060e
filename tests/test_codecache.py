"""The memo's compiled templates kept between processes (fairuse/codecache.py): a memo made from
the cache is the memo made without it; an edit is always seen; a foreign or corrupt file is never used."""

import os
import subprocess
import sys

import pytest
from jinja2 import Environment

from fairuse import codecache

from conftest import ROOT

MEMO = ("import sys; from fairuse.cli import main; sys.argv = ['fairuse', 'memo', '--example', 'song-parody', "
        "'--format', sys.argv[1], '--out', sys.argv[2], '--force']; main()")


def _memo(fmt: str, out, cache: str, template=None) -> bytes:
    code = MEMO if template is None else MEMO.replace("'--force']", f"'--force', '--template', {str(template)!r}]")
    done = subprocess.run([sys.executable, "-c", code, fmt, str(out)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "FAIRUSE_CACHE_DIR": cache}, timeout=120)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_memo_from_the_cache_is_the_memo_made_without_it(tmp_path, fmt):
    cache = tmp_path / "cache"
    without = _memo(fmt, tmp_path / f"none.{fmt}", "")
    first = _memo(fmt, tmp_path / f"first.{fmt}", str(cache))
    folders = list(cache.glob("jinja-*"))
    # the memo's format, and (for Markdown) the HTML-escaping one the facts' words are written with
    assert len(folders) == (1 if fmt == "html" else 2)
    assert sum(len(list(f.glob("*.jinja"))) for f in folders) > 20  # the files and the string templates
    second = _memo(fmt, tmp_path / f"second.{fmt}", str(cache))
    assert without == first == second


def test_html_and_markdown_are_kept_apart(tmp_path):
    cache = tmp_path / "cache"
    _memo("html", tmp_path / "a.html", str(cache))
    _memo("md", tmp_path / "a.md", str(cache))
    assert len(list(cache.glob("jinja-*"))) == 2  # they escape differently: their compiled code differs


def test_an_edited_template_is_compiled_again(tmp_path):
    cache = tmp_path / "cache"
    templates = tmp_path / "templates" / "partials" / "html"
    templates.mkdir(parents=True)
    partial = templates / "caveats.html.j2"
    partial.write_text("<h2 id=\"caveats\">Caveats</h2><p>FIRST VERSION</p>\n")
    assert b"FIRST VERSION" in _memo("html", tmp_path / "a.html", str(cache), tmp_path / "templates")
    partial.write_text("<h2 id=\"caveats\">Caveats</h2><p>SECOND VERSION</p>\n")
    again = _memo("html", tmp_path / "b.html", str(cache), tmp_path / "templates")
    assert b"SECOND VERSION" in again and b"FIRST VERSION" not in again


def _bucket(cache, source: str):
    env = Environment()
    return env, cache.get_bucket(env, "<string>", codecache.string_key(source), source)


def _one_entry(tmp_path, monkeypatch):
    """A cache in ``tmp_path`` holding one compiled string template; (cache, its file, the environment)."""
    monkeypatch.setenv("FAIRUSE_CACHE_DIR", str(tmp_path))
    cache = codecache.bytecode_cache("test")
    env, bucket = _bucket(cache, "Hello {{ name }}")
    bucket.code = env.compile("Hello {{ name }}")
    cache.set_bucket(bucket)
    (path,) = list(Path_of(cache).glob("*.jinja"))
    return cache, path, env


def test_a_file_others_can_write_or_own_is_never_loaded(tmp_path, monkeypatch):
    cache, path, _ = _one_entry(tmp_path, monkeypatch)
    assert _bucket(cache, "Hello {{ name }}")[1].code is not None
    os.chmod(path, 0o666)
    assert _bucket(cache, "Hello {{ name }}")[1].code is None
    os.chmod(path, 0o600)
    real = os.getuid
    monkeypatch.setattr(os, "getuid", lambda: real() + 1)
    assert _bucket(cache, "Hello {{ name }}")[1].code is None


def test_a_corrupt_or_stale_file_is_compiled_again(tmp_path, monkeypatch):
    cache, path, env = _one_entry(tmp_path, monkeypatch)
    data = path.read_bytes()
    for broken in (data[:len(data) // 2], b"j2" + b"\x00" * 40, b"", os.urandom(200)):
        path.write_bytes(broken)
        os.chmod(path, 0o600)
        assert _bucket(cache, "Hello {{ name }}")[1].code is None
    # same key, other source (an edit): its checksum does not match
    path.write_bytes(data)
    os.chmod(path, 0o600)
    other = cache.get_bucket(env, "<string>", codecache.string_key("Hello {{ name }}"), "Goodbye")
    assert other.code is None


def test_off_when_the_cache_dir_is_empty_or_cannot_be_made_or_written(tmp_path, monkeypatch):
    monkeypatch.setenv("FAIRUSE_CACHE_DIR", "")
    assert codecache.bytecode_cache("test") is None
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("FAIRUSE_CACHE_DIR", str(tmp_path / "a-file" / "cache"))  # mkdir fails, for root too
    assert codecache.bytecode_cache("test") is None
    monkeypatch.setenv("FAIRUSE_CACHE_DIR", str(tmp_path / "ok"))
    cache = codecache.bytecode_cache("test")

    def full_disk(self, handle):
        raise OSError(28, "No space left on device")

    from jinja2.bccache import Bucket
    monkeypatch.setattr(Bucket, "write_bytecode", full_disk)  # the write into the cache file fails
    env, bucket = _bucket(cache, "x")
    bucket.code = env.compile("x")
    cache.set_bucket(bucket)  # cannot write: turned off, silently
    assert cache.writable is False
    cache.set_bucket(bucket)
    os.chmod(Path_of(cache), 0o777)  # a folder others can write: not used
    assert codecache.bytecode_cache("test") is None


def Path_of(cache):  # noqa: N802 - reads as a noun
    from pathlib import Path

    return Path(cache.directory)


def test_a_fifo_or_link_planted_at_an_entry_is_never_read_or_waited_on(tmp_path, monkeypatch):
    """Issue 22: the cache opened its files following links, and a FIFO planted there blocked the run."""
    cache, path, _ = _one_entry(tmp_path, monkeypatch)
    good = tmp_path / "elsewhere.jinja"
    good.write_bytes(path.read_bytes())
    good.chmod(0o600)
    path.unlink()
    path.symlink_to(good)
    assert _bucket(cache, "Hello {{ name }}")[1].code is None
    path.unlink()
    os.mkfifo(path, 0o600)
    assert _bucket(cache, "Hello {{ name }}")[1].code is None  # returns at once: opened without blocking


def test_an_entry_holding_something_else_than_code_is_compiled_again(tmp_path, monkeypatch):
    import marshal
    import pickle

    from jinja2.bccache import bc_magic

    cache, path, _ = _one_entry(tmp_path, monkeypatch)
    data = path.read_bytes()
    checksum = pickle.loads(data[len(bc_magic):])  # the checksum comes right after the magic
    path.write_bytes(bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(["not", "code"]))
    path.chmod(0o600)
    assert _bucket(cache, "Hello {{ name }}")[1].code is None
