"""fairuse.atomic: the one mechanism every write and every lock file goes through (issue 22, "Lost data")."""

from __future__ import annotations

import os
import socket
import stat

import pytest

from fairuse.atomic import Staged, check_distinct, check_target, open_lock, write_atomic
from fairuse.errors import FairuseError


def refused(call, *needles) -> str:
    with pytest.raises(FairuseError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message
    return message


def leftovers(folder) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".fairuse-"))


# ------------------------------------------------------------------ what is never written

@pytest.mark.parametrize("path", ["/dev/stdout", "/dev/null", "/dev/fd/1", "/proc/self/fd/1"])
@pytest.mark.parametrize("force", [False, True])
def test_system_paths_are_never_replaced(no_system_writes, path, force):
    """Issue 22: as root, --out /dev/stdout --force replaced the system's /dev/stdout with a file."""
    before = os.lstat(path)
    refused(lambda: write_atomic(path, "memo", force=force), path)
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)


@pytest.mark.parametrize("force", [False, True])
def test_a_link_to_a_device_is_neither_replaced_nor_followed(no_system_writes, tmp_path, force):
    """Issue 22: --out LINK --force, LINK a symbolic link to a device, replaced the link with a regular file."""
    link = tmp_path / "memo.html"
    os.symlink("/dev/null", link)
    refused(lambda: write_atomic(link, "memo", force=force), str(link), "symbolic link")
    assert os.readlink(link) == "/dev/null" and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_a_link_to_a_file_is_neither_replaced_nor_written_through(tmp_path, force):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "memo.html"
    os.symlink(target, link)
    refused(lambda: write_atomic(link, "memo", force=force), "symbolic link")
    assert link.is_symlink() and target.read_text() == "keep me"


def test_a_dangling_link_is_never_replaced_or_followed(tmp_path):
    link = tmp_path / "memo.html"
    os.symlink(tmp_path / "elsewhere.html", link)
    refused(lambda: write_atomic(link, "memo", force=True), "symbolic link")
    assert link.is_symlink() and not (tmp_path / "elsewhere.html").exists()


def _fifo(path):
    os.mkfifo(path)


def _socket(path):
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    return sock


@pytest.mark.parametrize("make, needle", [(_fifo, "FIFO"), (_socket, "socket"), (os.mkdir, "directory")])
@pytest.mark.parametrize("force", [False, True])
def test_special_files_and_folders_are_never_replaced(tmp_path, make, needle, force):
    path = tmp_path / "out.html"
    keep = make(path)
    kind = stat.S_IFMT(os.lstat(path).st_mode)
    refused(lambda: write_atomic(path, "memo", force=force), str(path), needle)  # a FIFO is never opened: no hang
    assert stat.S_IFMT(os.lstat(path).st_mode) == kind and leftovers(tmp_path) == []
    if keep is not None:
        keep.close()


def test_an_existing_file_is_replaced_only_with_force(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("mine")
    refused(lambda: write_atomic(path, "new"), "already exists", "--force")
    assert path.read_text() == "mine"
    write_atomic(path, "new", force=True)
    assert path.read_text() == "new" and leftovers(tmp_path) == []


def test_a_command_without_force_does_not_offer_it(tmp_path):
    path = tmp_path / "rule.yaml"
    path.write_text("mine")
    message = refused(lambda: write_atomic(path, "new", forceable=False), "already exists")
    assert "--force" not in message and path.read_text() == "mine"


# ------------------------------------------------------------------ inputs

def test_an_input_is_never_written_over_even_with_force(tmp_path):
    source = tmp_path / "m.csv"
    source.write_text("url\nhttps://a.example/\n")
    hard = tmp_path / "hard.csv"
    os.link(source, hard)
    soft = tmp_path / "soft.csv"
    os.symlink(source, soft)
    for out, inputs in ((source, [source]), (hard, [source]), (source, [soft]),
                        (tmp_path / "sub" / ".." / "m.csv", [source])):
        if out.parent.name == "sub":
            (tmp_path / "sub").mkdir(exist_ok=True)
        refused(lambda: write_atomic(out, "verdicts", force=True, inputs=[None, *inputs]), "input", "even with --force")
    assert source.read_text() == "url\nhttps://a.example/\n" and hard.read_text() == source.read_text()


def test_two_outputs_of_one_command_must_differ(tmp_path):
    out = tmp_path / "v.csv"
    refused(lambda: check_distinct({"--out": out, "--errors": None, "--report": tmp_path / "." / "v.csv"}),
            "--out", "--report")
    out.write_text("x")
    os.link(out, tmp_path / "w.csv")
    refused(lambda: check_distinct({"--out": out, "--report": tmp_path / "w.csv"}), "--out", "--report")
    check_distinct({"--out": out, "--errors": tmp_path / "v.errors.jsonl", "--report": None})


# ------------------------------------------------------------------ staged writes

def test_a_staged_write_is_checked_before_the_work_and_again_at_the_end(tmp_path):
    path = tmp_path / "v.csv"
    staged = Staged(path)
    staged.write(b"rows")
    path.write_text("appeared during the run")
    refused(staged.commit, "already exists")
    assert path.read_text() == "appeared during the run" and leftovers(tmp_path) == []


def test_a_discarded_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("earlier run")
    with pytest.raises(RuntimeError):
        with Staged(path, force=True) as staged:
            staged.write(b"half a run")
            raise RuntimeError("the run failed")
    assert path.read_text() == "earlier run" and leftovers(tmp_path) == []


def test_a_refused_target_creates_nothing(tmp_path):
    os.mkfifo(tmp_path / "v.csv")
    refused(lambda: Staged(tmp_path / "v.csv", force=True), "FIFO")
    assert leftovers(tmp_path) == []


def test_check_target_names_the_path(tmp_path):
    check_target(tmp_path / "new.html")
    (tmp_path / "f").write_text("a file, not a folder")
    refused(lambda: check_target(tmp_path / "f" / "new.html"), str(tmp_path / "f" / "new.html"))


# ------------------------------------------------------------------ lock files

def test_a_lock_file_is_created_private(tmp_path):
    fd, created = open_lock(tmp_path / "s.lock")
    os.close(fd)
    assert created and stat.S_IMODE(os.stat(tmp_path / "s.lock").st_mode) == 0o600
    fd, created = open_lock(tmp_path / "s.lock")
    os.close(fd)
    assert not created


@pytest.mark.parametrize("plant", ["symlink", "dangling", "fifo", "folder"])
def test_a_link_or_special_file_planted_as_a_lock_is_refused_untouched(tmp_path, plant):
    """Issue 22: the session lock was opened following links and truncated: a planted link destroyed its target."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    lock = tmp_path / "s.lock"
    {"symlink": lambda: os.symlink(victim, lock), "dangling": lambda: os.symlink(tmp_path / "none", lock),
     "fifo": lambda: os.mkfifo(lock), "folder": lambda: os.mkdir(lock)}[plant]()
    refused(lambda: open_lock(lock), str(lock), "not a lock file")
    assert victim.read_text() == "precious" and not (tmp_path / "none").exists()


def test_without_hard_links_the_new_file_is_created_exclusively(tmp_path, monkeypatch):
    import errno

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")
    monkeypatch.setattr(os, "link", no_links)
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "memo.md", "text")
    finally:
        os.umask(old)
    assert (tmp_path / "memo.md").read_text() == "text" and leftovers(tmp_path) == []
    assert stat.S_IMODE(os.stat(tmp_path / "memo.md").st_mode) == 0o644
    staged = Staged(tmp_path / "late.md")
    staged.write(b"mine")
    os.symlink(tmp_path / "elsewhere.md", tmp_path / "late.md")  # planted after the first check
    monkeypatch.setattr("fairuse.atomic.check_target", lambda *a, **k: None)  # as if planted after the second
    refused(staged.commit, "already exists")
    assert not (tmp_path / "elsewhere.md").exists() and leftovers(tmp_path) == []
