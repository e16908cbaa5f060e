"""Answers files: the public input contract and its errors."""

import datetime as dt

import pytest
import yaml

from fairuse.answers import load_answers, parse_answers
from fairuse.errors import FairuseError

from conftest import FIXTURES


def test_vocabulary_covers_the_contract(vocab):
    contract = yaml.safe_load((FIXTURES / "contract_facts.yaml").read_text())
    for fact_id, spec in contract["facts"].items():
        assert fact_id in vocab, fact_id
        ours = vocab[fact_id]
        assert ours.type == spec["type"], fact_id
        assert set(spec.get("values", [])) <= set(ours.values), fact_id


def test_contract_matches_shared_copy_when_present():
    shared = FIXTURES.parent.parent.parent / "shared" / "domain" / "facts.yaml"
    if not shared.exists():
        pytest.skip("only for the maintainers' workspace: compares tests/fixtures/contract_facts.yaml with the "
                    "project's shared copy of the answers contract (../shared/domain/facts.yaml), which a clone "
                    "does not have; the contract itself is tested above")
    assert yaml.safe_load(shared.read_text()) == yaml.safe_load((FIXTURES / "contract_facts.yaml").read_text())


def test_valid_answers_are_normalised(vocab):
    answers = parse_answers(vocab, "jurisdictions: us\nwork_published: yes\nassessment_date: 2024-05-01\n"
                                   "source_access: unknown\nmemorization_risk: null\n", "a.yaml")
    assert answers == {"jurisdictions": ["us"], "work_published": True,
                       "assessment_date": dt.date(2024, 5, 1)}


def test_json_answers(vocab, tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"purpose": "parody", "assessment_date": "2020-01-02", "jurisdictions": ["us", "eu"]}')
    assert load_answers(vocab, path) == {"purpose": "parody", "assessment_date": dt.date(2020, 1, 2),
                                         "jurisdictions": ["us", "eu"]}


@pytest.mark.parametrize("text, expected", [
    ("purpse: parody\n", ["a.yaml:1", "'purpse'", "unknown fact", "did you mean 'purpose'"]),
    ("purpose: parodie\n", ["a.yaml:1", "'purpose'", "expected one of", "did you mean 'parody'"]),
    ("work_published: maybe\n", ["a.yaml:1", "'work_published'", "expected true or false"]),
    ("purpose: parody\ncommercial: 3\n", ["a.yaml:2", "'commercial'", "expected one of"]),
    ("jurisdictions: [us, fr]\n", ["'jurisdictions'", "expected values from", "'fr'"]),
    ("assessment_date: yesterday\n", ["'assessment_date'", "expected a date YYYY-MM-DD"]),
    ("use_summary: [1, 2]\n", ["'use_summary'", "expected text"]),
    ("purpose: [parody\n", ["a.yaml:", "not valid YAML"]),
    ("", ["a.yaml", "empty"]),
    ("- purpose\n- parody\n", ["a.yaml", "expected a mapping", "list"]),
    ("purpose: parody\npurpose: satire\n", ["a.yaml:2", "duplicate key 'purpose'"]),
])
def test_bad_answers_are_one_clear_line(vocab, text, expected):
    with pytest.raises(FairuseError) as info:
        parse_answers(vocab, text, "a.yaml")
    message = str(info.value)
    assert "\n" not in message
    for part in expected:
        assert part in message


def test_cli_bad_answers_exit_2_without_traceback(cli, tmp_path):
    bad = tmp_path / "my-use.yaml"
    bad.write_text("purpose: ai_training\ncomercial: direct\n")
    result = cli("assess", "--answers", bad)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{bad}:2" in lines[0] and "did you mean 'commercial'" in lines[0]


def test_cli_missing_answers_file(cli, tmp_path):
    result = cli("assess", "--answers", tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert "no such file" in result.stderr and "Traceback" not in result.stderr
