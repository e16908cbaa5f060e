"""Facts in words (fairuse.wording): errors in a firm's facts_prose.yaml name its file and line (issue 22)."""

import pytest

from inprocess import one_line, run_main


@pytest.mark.parametrize("sentence, needle", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x", "too much work"),
    ("Purpose {{ 1/0 }}", "ZeroDivisionError"),
    ("Purpose {% if %}", "template error"),
])
def test_a_bad_facts_prose_sentence_names_the_file_line_and_fact(tmp_path, sentence, needle):
    firm = tmp_path / "firm"
    firm.mkdir()
    (firm / "facts_prose.yaml").write_text(f"facts:\n  commercial: x\n  purpose:\n    sentence: '{sentence}'\n")
    line = one_line(run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md"), needle)
    assert line.startswith(f"fairuse: error: {firm / 'facts_prose.yaml'}:3: facts.purpose: template error"), line
