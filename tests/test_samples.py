"""The sample memos in docs/samples/ are regenerated whenever the templates change."""

import importlib.util
import shutil

from conftest import ROOT


def _make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "docs" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_samples_are_current():
    module = _make_samples()
    recorded = (ROOT / "docs" / "samples" / "SOURCES.sha256").read_text().strip()
    assert recorded == module.sources_digest(), (
        "the memo templates or code changed since docs/samples/ was made: run python docs/make_samples.py")


def test_every_sample_exists_and_readme_links_it():
    readme = (ROOT / "README.md").read_text()
    for name in _make_samples().EXAMPLES:
        for suffix in (".pdf", ".html", "-page1.png"):
            path = ROOT / "docs" / "samples" / f"{name}{suffix}"
            assert path.is_file() and path.stat().st_size > 1000, path
        assert f"docs/samples/{name}.pdf" in readme


def test_the_digest_follows_the_templates(tmp_path, monkeypatch):
    module = _make_samples()
    before = module.sources_digest()
    copy = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", copy)
    monkeypatch.setattr(module, "SOURCES", [copy, *module.SOURCES[1:]])
    assert module.sources_digest() == before
    (copy / "partials" / "html" / "caveats.html.j2").write_text("changed")
    monkeypatch.setattr(module, "SOURCES", [copy, *module.SOURCES[1:]])
    assert module.sources_digest() != before
