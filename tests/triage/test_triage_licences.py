"""Licence signals feed the licence facts the rules read (issue 23): a Creative Commons URL or an SPDX id in
the `license` column sets work_license, and a corpus that drops the notices is outside the licence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import fairuse
from fairuse.errors import FairuseError
from fairuse.rules import load_rulebase
from fairuse.triage.signals import licence_elements, licence_kind, load_signals
from triage_fixtures import answers  # noqa: F401  (pytest fixture)

RULES = Path(__file__).resolve().parents[2] / "rules"
LICENCES = ["CC-BY-4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/", "MIT", "GPL-3.0-only",
            "https://creativecommons.org/publicdomain/zero/1.0/", "All rights reserved", None,
            "https://creativecommons.org/licenses/by-nd/4.0/deed.en"]


def _triage(answers, **more):
    df = pd.DataFrame({"url": [f"https://a.example/{i}" for i in range(len(LICENCES))], "license": LICENCES})
    return fairuse.triage(df, {**answers, **more})


def test_each_licence_sets_the_licence_it_is(answers):
    out = _triage(answers)
    kinds = list(out["work_license"].astype(object).where(out["work_license"].notna(), None))
    assert kinds == ["cc_by", "cc_by_nc_sa", "permissive", "copyleft", "public_domain_dedication", "all_rights_reserved",
                     None, "cc_by_nd"]


def test_a_corpus_that_drops_the_notices_is_outside_every_licence_that_asks_for_them(answers):
    out = _triage(answers, notices_kept="dropped")
    covered = dict(zip(out["work_license"].astype(str), out["license_covers_use"]))
    rule = dict(zip(out["work_license"].astype(str), out["licence_rule"].astype(str)))
    for kind in ("cc_by", "permissive", "copyleft", "cc_by_nd"):
        assert covered[kind] is not None and not covered[kind], kind
    assert rule["cc_by"] == "licence_cc_credit_dropped" and rule["permissive"] == "licence_permissive_notices_dropped"
    assert rule["copyleft"] == "licence_copyleft_notices_dropped"
    assert rule["cc_by_nc_sa"] == "licence_nc_commercial"  # a commercial corpus: the NonCommercial entry decides first
    verdicts = dict(zip(out["work_license"].astype(str), out["verdict_us"]))
    assert verdicts["cc_by"] != "not_needed" and verdicts["permissive"] != "not_needed"
    assert verdicts["public_domain_dedication"] == "not_needed"


def test_a_training_corpus_that_keeps_the_works_in_house_stays_licensed(answers):
    out = _triage({**answers, "commercial": "non_commercial"}, notices_kept="nothing_shared")
    verdicts = dict(zip(out["work_license"].astype(str), out["verdict_us"]))
    assert verdicts["cc_by"] == "not_needed" and verdicts["cc_by_nc_sa"] == "not_needed"


def test_licence_kinds_match_exact_elements():
    book = load_signals(RULES / "signals.yaml", load_rulebase(RULES).vocabulary)
    perm, copyleft = book.permissive_spdx, book.copyleft_spdx
    assert licence_kind(book, licence_elements("CC-BY-NC-ND-4.0", perm, copyleft)) == {"work_license": "cc_by_nc_nd"}
    assert licence_kind(book, licence_elements("https://creativecommons.org/licenses/by-sa/4.0/", perm)) == {
        "work_license": "cc_by_sa"}
    assert licence_kind(book, licence_elements("Apache-2.0", perm, copyleft)) == {"work_license": "permissive"}
    assert licence_kind(book, licence_elements("not a licence", perm, copyleft)) == {}


@pytest.mark.parametrize("entry, message", [
    ("  - {elements: [BY, XX], sets: {work_license: cc_by}}\n", "unknown element 'XX'"),
    ("  - {elements: [BY], sets: {work_license: cc_by_sa}}\n", "elements ['BY'] are listed twice"),
    ("  - {elements: [SA], sets: {work_license: cc_zz}}\n", "cc_zz"),
])
def test_a_bad_licence_kind_is_one_line(tmp_path, entry, message):
    path = tmp_path / "signals.yaml"
    shutil.copy(RULES / "signals.yaml", path)
    path.write_text(path.read_text() + entry)
    with pytest.raises(FairuseError, match="licence_kinds entry 11") as exc:
        load_signals(path, load_rulebase(RULES).vocabulary)
    assert message in str(exc.value) and "\n" not in str(exc.value)
