"""The bounded sandbox (fairuse.sandbox): templates others write are bounded in work, in what they make and
in what they may read (issue 22). Each refusal is one line naming the template's file and line, exit 2."""

import os
import resource
import subprocess
import sys

import pytest

from conftest import ROOT
from inprocess import one_line, run_main

HOSTILE = [
    # nested loops: 10**10 iterations, and a hang
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "too much work"),
    ("{% for i in range(100000) %}{% for j in range(100000) if j > 5 %}x{% endfor %}{% endfor %}", "too much work"),
    ("{% set s %}{% for i in range(100000) %}{% for j in range(1000) %}abcdefghij{% endfor %}{% endfor %}{% endset %}",
     "too much work"),
    # the indent bomb (4 GB), and its cousins: each refused before anything is made
    ('{{ ("\\n" * 100000)|indent(100000) }}', "too large a text"),
    ('{{ ("x\\n" * 50000).replace("\\n", "\\n" + " " * 100000) }}', "too large a text"),
    ("{{ ('x' * 100000)|replace('', 'y' * 100000) }}", "too large a text"),
    ("{{ ('x' * 100000) * 100000 }}", "too large a repeat"),
    ("{{ ([('x' * 100000)] * 100000)|join }}", "too large a repeat"),
    ("{{ ('x' * 100000)|wordwrap(1, true, 'y' * 100000) }}", "too large a text"),
    ("{{ ('{:>99999}' * 10000).format(*([1] * 10000)) }}", "too large a text"),
    ("{{ ('\\t' * 100000).expandtabs(100000) }}", "too large a text"),
    ("{{ lipsum(100000, false, 20, 100000) }}", "too large a text"),
    # doubling through a namespace, a list of itself, or a list that extends itself
    ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
     "too large a value"),
    ("{% set ns = namespace(s=['x']) %}{% for i in range(60) %}{% set ns.s = [ns.s, ns.s] %}{% endfor %}{{ ns.s }}",
     "too large a value"),
    ("{% set l = ['x'] %}{% for i in range(60) %}{% if l.extend(l) %}{% endif %}{% endfor %}{{ l|length }}",
     "too large a list"),
    ("{% set ns = namespace(x=2) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x }}",
     "too large a number"),
    # comparing and slicing big values in a loop: each a step of their size
    ("{% set s = 'x' * 100000 %}{% for i in range(100000) %}{% if s == s ~ '' %}{% endif %}{% endfor %}",
     "too much work"),
    ("{% set s = ('x' * 100000) * 10 %}{% for i in range(100000) %}{{ s[1:]|length }}{% endfor %}", "too much work"),
]


@pytest.fixture
def firm(tmp_path):
    folder = tmp_path / "firm"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("body, needle", HOSTILE)
def test_a_runaway_memo_template_is_one_line_naming_its_file_and_line(firm, body, needle):
    (firm / "memo.md.j2").write_text("A memo\n\n" + body)
    line = one_line(run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md"), needle)
    assert line.startswith(f"fairuse: error: {firm / 'memo.md.j2'}:3: template error:"), line


@pytest.mark.parametrize("body", [HOSTILE[0][0], HOSTILE[3][0], HOSTILE[6][0]])
def test_runaway_templates_stay_under_a_gigabyte(firm, body):
    """In a process allowed 1 GB of address space, the refusal comes first (an out-of-memory would be another line)."""
    (firm / "memo.md.j2").write_text(body)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run([sys.executable, "-m", "fairuse", "memo", "--example", "song-parody", "--template", str(firm),
                           "--format", "md"], capture_output=True, text=True, preexec_fn=limit, timeout=300,
                          cwd=ROOT, env={**os.environ, "FAIRUSE_CACHE_DIR": ""})
    assert done.returncode == 2 and "template error: the template" in done.stderr, done.stderr[-1000:]


def test_the_bundled_memos_stay_far_inside_the_budget(monkeypatch, tmp_path):
    """The bounds are set a hundred times above what the real memos need, so no honest template meets them."""
    from fairuse import sandbox

    budgets = []
    original = sandbox._Budget.__init__

    def recording(self, kind="string"):
        original(self, kind)
        budgets.append(self)

    monkeypatch.setattr(sandbox._Budget, "__init__", recording)
    for example in ("llm-web-crawl", "google-books"):
        for fmt in ("md", "html"):
            got = run_main("memo", "--example", example, "--format", fmt, "--appendix", "--out", tmp_path / f"m.{fmt}",
                           "--force")
            assert got.code == 0, got.stderr
    files = [b for b in budgets if b.max_steps == sandbox.LIMITS["file"][0]]
    strings = [b for b in budgets if b.max_steps == sandbox.LIMITS["string"][0]]
    assert files and strings
    assert max(b.steps for b in files) * 100 < sandbox.LIMITS["file"][0]
    assert max(b.output for b in files) * 100 < sandbox.LIMITS["file"][1]
    assert max(b.steps for b in strings) * 100 < sandbox.LIMITS["string"][0]
    assert max(b.output for b in strings) * 100 < sandbox.LIMITS["string"][1]


def test_a_partial_that_links_outside_the_template_folder_is_refused(firm, tmp_path):
    """Issue 22: a --template folder whose partial is a symbolic link embedded any readable file in the memo."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    (firm / "partials" / "md").mkdir(parents=True)
    (firm / "partials" / "md" / "heading.md.j2").symlink_to(secret)
    got = run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md")
    one_line(got, "heading.md.j2", "a link to a file outside")
    assert "TOP SECRET" not in got.stdout


def test_a_link_inside_the_template_folder_is_read(firm):
    (firm / "mine").mkdir()
    (firm / "mine" / "memo.md.j2").write_text("Our memo: {{ 6 * 7 }}")
    (firm / "memo.md.j2").symlink_to(firm / "mine" / "memo.md.j2")
    got = run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md")
    assert got.code == 0 and got.stdout.startswith("Our memo: 42"), got.stderr


def test_a_fifo_in_the_template_folder_never_blocks(firm):
    os.mkfifo(firm / "memo.md.j2")
    one_line(run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md"),
             "memo.md.j2", "not a regular file")


def test_a_facts_prose_that_links_outside_the_template_folder_is_refused(firm, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("facts:\n  purpose: {sentence: 'TOP SECRET'}\n")
    (firm / "facts_prose.yaml").symlink_to(secret)
    got = run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md")
    one_line(got, "facts_prose.yaml", "a link to a file outside")
    assert "TOP SECRET" not in got.stdout


def test_a_runaway_application_is_one_line_naming_the_rule(rules_copy):
    """An ``application:`` with nested loops hung; its error was reported as memo.md.j2."""
    import re

    path = rules_copy / "us" / "amount.yaml"
    text = path.read_text()
    start = text.index("  - id: us.107.3.necessary\n")
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x"
    rule = re.sub(r"    application: >-\n(      .*\n)+", lambda m: f'    application: "{loops}"\n', text[start:], count=1)
    path.write_text(text[:start] + rule)
    line = one_line(run_main("memo", "--example", "llm-web-crawl", "--rules", rules_copy, "--format", "md"),
                    "amount.yaml:", "us.107.3.necessary", "'application'", "too much work")
    assert "memo.md.j2" not in line
