"""The parsed-YAML cache (fairuse/yamlcache.py): hits equal fresh parses, an edit is
always seen, a bad cache is ignored and rebuilt, an unwritable one turns it off."""

import os
import pickle

import pytest

from fairuse import rules, yamlcache
from fairuse.casebook import load_casebook
from fairuse.yamlfile import load_file

from conftest import ROOT, RULES


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache folder, and a fresh "process" (no store or ruleset kept in memory)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("FAIRUSE_CACHE_DIR", str(folder))
    monkeypatch.setattr(yamlcache, "_stores", {})
    monkeypatch.setattr(yamlcache, "_disabled", set())
    monkeypatch.setattr(rules, "_CACHE", {})
    return folder


def new_process(monkeypatch):
    """Forget what this process holds in memory, as the next process would."""
    monkeypatch.setattr(yamlcache, "_stores", {})
    monkeypatch.setattr(rules, "_CACHE", {})


def snapshot(base):
    """What a ruleset says, every field but where it was read from."""
    return (base.version, base.stated_as_of, base.vocabulary, base.authorities, base.findings, base.rules,
            base.jurisdictions, base.drafts, base.stated_by)


def test_a_hit_equals_a_fresh_parse_lines_included(cache, monkeypatch):
    path = RULES / "us" / "weighing.yaml"
    fresh = load_file(path)
    first = load_file(path, cached=True)
    yamlcache.flush()
    assert list(cache.glob("yaml-*.pickle"))
    new_process(monkeypatch)
    hit = load_file(path, cached=True)
    assert hit == fresh == first
    assert hit.key_lines == fresh.key_lines and hit.line == fresh.line
    assert hit is not first  # a fresh copy each time
    store = next(iter(yamlcache._stores.values()))
    assert "weighing.yaml" in store.entries and not store.dirty  # served from the file


def test_whole_ruleset_and_casebook_from_the_cache_equal_fresh(cache, monkeypatch):
    cold = rules.load_rulebase(RULES)
    cases_cold = [c.summary() for c in load_casebook(base=cold)]
    assert len(list(cache.glob("yaml-*.pickle"))) >= 3  # rules, each jurisdiction, casebook
    new_process(monkeypatch)
    calls = []
    real = yamlcache._Store.put
    monkeypatch.setattr(yamlcache._Store, "put", lambda self, *a: calls.append(a) or real(self, *a))
    warm = rules.load_rulebase(RULES)
    assert warm is not cold
    assert calls == []  # nothing parsed again
    assert snapshot(warm) == snapshot(cold)
    assert [c.summary() for c in load_casebook(base=warm)] == cases_cold


def test_an_edit_is_seen_even_with_the_same_size_and_time(cache, monkeypatch, rules_copy):
    meta = rules_copy / "ruleset.yaml"
    before = rules.load_rulebase(rules_copy).stated_as_of
    stat = meta.stat()
    text = meta.read_text()
    new = before.replace(day=1 if before.day != 1 else 2)
    edited = text.replace(before.isoformat(), new.isoformat())
    assert edited != text and len(edited) == len(text)
    meta.write_text(edited)
    os.utime(meta, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    new_process(monkeypatch)
    assert rules.load_rulebase(rules_copy).stated_as_of == new


def test_a_rule_edit_changes_the_result(cache, monkeypatch, rules_copy):
    from fairuse.answers import load_answers
    from fairuse.assess import assess

    base = rules.load_rulebase(rules_copy)
    answers = load_answers(base.vocabulary, ROOT / "examples" / "google-books.yaml")
    assert assess(answers, rulebase=base).jurisdictions
    weighing = rules_copy / "us" / "weighing.yaml"
    text = weighing.read_text()
    weighing.write_text(text + "\nnot: [valid\n")
    new_process(monkeypatch)
    with pytest.raises(Exception, match="weighing.yaml"):
        rules.load_rulebase(rules_copy)  # the broken file is parsed, not taken from the cache
    weighing.write_text(text)
    new_process(monkeypatch)
    assert rules.load_rulebase(rules_copy).stated_as_of == base.stated_as_of


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", pickle.dumps(["a list"]),
                                     pickle.dumps({"weighing.yaml": ("bad", b"\x80\x05junk")})])
def test_a_corrupt_cache_is_ignored_and_rebuilt(cache, monkeypatch, garbage):
    fresh = rules.load_rulebase(RULES)
    files = list(cache.glob("yaml-*.pickle"))
    assert files
    for f in files:
        f.write_bytes(garbage)
    new_process(monkeypatch)
    again = rules.load_rulebase(RULES)
    assert snapshot(again) == snapshot(fresh)
    for f in files:  # rewritten, whole
        assert isinstance(pickle.loads(f.read_bytes()), dict) and pickle.loads(f.read_bytes())


def test_a_cache_file_others_may_write_is_never_read(cache, monkeypatch):
    path = RULES / "ruleset.yaml"
    load_file(path, cached=True)
    yamlcache.flush()
    (store_file,) = [f for f in cache.glob("yaml-*.pickle")]
    entries = pickle.loads(store_file.read_bytes())
    digest, _ = entries["ruleset.yaml"]
    entries["ruleset.yaml"] = (digest, pickle.dumps({"planted": True}))
    store_file.write_bytes(pickle.dumps(entries))
    store_file.chmod(0o666)
    new_process(monkeypatch)
    assert load_file(path, cached=True) == load_file(path)


def test_an_unwritable_cache_dir_turns_the_cache_off_quietly(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FAIRUSE_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(yamlcache, "_stores", {})
    monkeypatch.setattr(yamlcache, "_disabled", set())
    monkeypatch.setattr(rules, "_CACHE", {})
    base = rules.load_rulebase(RULES)
    assert base.stated_as_of and yamlcache._disabled
    load_casebook(base=base)


def test_an_empty_cache_dir_setting_turns_the_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("FAIRUSE_CACHE_DIR", "")
    monkeypatch.setattr(yamlcache, "_stores", {})
    monkeypatch.setattr(rules, "_CACHE", {})
    rules.load_rulebase(RULES)
    assert yamlcache._stores == {}


def test_the_cli_works_with_a_corrupt_and_an_unwritable_cache(cli, tmp_path):
    folder = tmp_path / "cache"
    assert cli("assess", "--example", "google-books", env={"FAIRUSE_CACHE_DIR": str(folder)}).returncode == 0
    for f in folder.glob("yaml-*.pickle"):
        f.write_bytes(b"\x80\x05corrupt")
    out = cli("assess", "--example", "google-books", env={"FAIRUSE_CACHE_DIR": str(folder)})
    assert out.returncode == 0 and "Traceback" not in out.stderr
    (tmp_path / "file").write_text("x")
    out2 = cli("assess", "--example", "google-books", env={"FAIRUSE_CACHE_DIR": str(tmp_path / "file" / "c")})
    assert out2.returncode == 0 and "Traceback" not in out2.stderr and out2.stdout == out.stdout


def test_a_link_planted_at_a_cache_file_is_never_followed_or_replaced(cache, tmp_path):
    """Issue 22: every file the tool writes goes through fairuse.atomic, its caches too."""
    path = RULES / "us" / "weighing.yaml"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    store_path = yamlcache._store_for(path).path
    cache.mkdir(exist_ok=True)
    os.symlink(victim, store_path)
    assert load_file(path, cached=True) == load_file(path)
    yamlcache.flush()
    assert victim.read_text() == "precious" and store_path.is_symlink()
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temporary file left


def _node_without_lines():
    from fairuse.yamlfile import Node

    node = Node({"version": "1", "as_of": "2020-01-01"})
    node.line = 1  # no key_lines: line_of would fail in every loader
    return node


@pytest.mark.parametrize("shape", [
    lambda entries: {name: 5 for name in entries},  # entry[0] of an int
    lambda entries: {**entries, 5: (b"x", b"y")},  # a name the folder cannot hold
    lambda entries: {name: (digest, b"y", b"z") for name, (digest, _) in entries.items()},
    lambda entries: {name: (digest, pickle.dumps(_node_without_lines())) for name, (digest, _) in entries.items()},
    lambda entries: {name: (digest, pickle.dumps({1, 2})) for name, (digest, _) in entries.items()},
    lambda entries: {name: (digest, pickle.dumps(("a", "tuple"))) for name, (digest, _) in entries.items()},
    lambda entries: {name: (digest, pickle.dumps(ROOT)) for name, (digest, _) in entries.items()},
])
def test_a_cache_of_the_wrong_shape_is_ignored_and_rebuilt(cache, monkeypatch, shape):
    """Issue 22: a cache file of the wrong shape (ours, 0600) ended every run in a traceback."""
    fresh = rules.load_rulebase(RULES)
    cases = [c.summary() for c in load_casebook(base=fresh)]
    yamlcache.flush()
    files = list(cache.glob("yaml-*.pickle"))
    for f in files:
        f.write_bytes(pickle.dumps(shape(pickle.loads(f.read_bytes()))))
        f.chmod(0o600)
    new_process(monkeypatch)
    again = rules.load_rulebase(RULES)
    assert snapshot(again) == snapshot(fresh)
    assert [c.summary() for c in load_casebook(base=again)] == cases
    yamlcache.flush()  # writes a whole cache again, never fails on what it read


def test_a_fifo_planted_at_a_cache_file_never_blocks(cache, monkeypatch):
    rules.load_rulebase(RULES)
    yamlcache.flush()
    files = list(cache.glob("yaml-*.pickle"))
    for f in files:
        f.unlink()
        os.mkfifo(f)
    new_process(monkeypatch)
    base = rules.load_rulebase(RULES)  # opened without blocking, and not read
    assert base.stated_as_of and all(f.is_fifo() for f in files)


def test_a_link_planted_at_a_cache_file_is_not_read(cache, monkeypatch, tmp_path):
    path = RULES / "ruleset.yaml"
    load_file(path, cached=True)
    yamlcache.flush()
    (store_file,) = list(cache.glob("yaml-*.pickle"))
    entries = pickle.loads(store_file.read_bytes())
    digest, _ = entries["ruleset.yaml"]
    entries["ruleset.yaml"] = (digest, pickle.dumps({"planted": True}))
    planted = tmp_path / "planted.pickle"
    planted.write_bytes(pickle.dumps(entries))
    planted.chmod(0o600)
    store_file.unlink()
    store_file.symlink_to(planted)
    new_process(monkeypatch)
    assert load_file(path, cached=True) == load_file(path)
