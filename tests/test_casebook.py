"""The casebook: valid files, similarity, leave-one-out evaluation, CLI."""

import json
import shutil

import pytest
import yaml

from fairuse.casebook import load_casebook, rank
from fairuse.evaluation import evaluate
from fairuse.errors import FairuseError

from conftest import ROOT

CASEBOOK = ROOT / "casebook"
REQUIRED = {
    "authors-guild-v-google", "authors-guild-v-hathitrust", "perfect-10-v-amazon", "kelly-v-arriba-soft",
    "sony-v-universal", "campbell-v-acuff-rose", "harper-row-v-nation", "warhol-v-goldsmith", "google-v-oracle",
    "av-v-iparadigms", "sega-v-accolade", "american-geophysical-union-v-texaco", "basic-books-v-kinkos",
    "rogers-v-koons", "cariou-v-prince", "fox-news-v-tveyes", "hachette-v-internet-archive",
    "thomson-reuters-v-ross", "bartz-v-anthropic-training", "bartz-v-anthropic-pirated-library", "kadrey-v-meta",
    "kneschke-v-laion", "gema-v-openai", "getty-images-v-stability-ai", "infopaq-v-danske-dagblades-forening",
    "ultraman-guangzhou-internet-court",
}


@pytest.fixture(scope="module")
def cases(base):
    return load_casebook(CASEBOOK, base)


def test_every_file_validates_and_the_floor_is_met(cases):
    ids = {c.id for c in cases}
    assert REQUIRED <= ids
    assert len(cases) >= 45
    assert sum(c.outcome == "unfair" for c in cases) / len(cases) >= 0.40
    for case in cases:
        assert case.holding and case.citation and case.court and case.decided
        assert case.source or yaml.safe_load(case.file.read_text()).get("source_note"), case.id


def test_warhol_refinement_is_noted(cases):
    by_id = {c.id: c for c in cases}
    assert "Warhol" in by_id["cariou-v-prince"].later


@pytest.fixture
def book_copy(tmp_path):
    target = tmp_path / "casebook"
    shutil.copytree(CASEBOOK, target)
    return target


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("outcome: fair", "outcome: fairish"), ["outcome"]),
    (lambda t: t.replace("  purpose: search_index", "  purpose: search_indx"), ["purpose", "did you mean 'search_index'"]),
    (lambda t: t.replace("  purpose: search_index", "  purpos: search_index"), ["unknown fact 'purpos'"]),
    (lambda t: t.replace("holding: >", "holdings: >"), ["'holdings'", "unknown key"]),
    (lambda t: t.replace('decided: "2015-10-16"', 'decided: "Oct 2015"'), ["decided"]),
    (lambda t: t.replace("factors: {purpose: user, amount: user, market: user}", "factors: {purpose: yes}"), ["factors"]),
])
def test_a_broken_file_is_one_clear_line(base, book_copy, edit, expected):
    path = book_copy / "authors-guild-v-google.yaml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(FairuseError) as info:
        load_casebook(book_copy, base)
    message = str(info.value)
    assert "\n" not in message and "authors-guild-v-google.yaml" in message
    for part in expected:
        assert part in message


def test_cli_rejects_a_broken_casebook_with_exit_2(cli, book_copy):
    path = book_copy / "kelly-v-arriba-soft.yaml"
    path.write_text(path.read_text().replace("outcome: fair", "outcome: maybe"))
    result = cli("casebook", "list", "--casebook", book_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "kelly-v-arriba-soft.yaml" in result.stderr and "outcome" in result.stderr


def test_similar_ranks_an_exact_copy_first(base, cases):
    # first place is shared only with a case coded with the very same facts (a twin;
    # ties are then ordered by id)
    for case in cases[:: 5]:
        ranked = rank(dict(case.facts), cases, base)
        position = next(i for i, m in enumerate(ranked) if m.case.id == case.id)
        assert ranked[position].similarity == 1.0
        assert all(m.similarity == 1.0 and m.case.facts == case.facts for m in ranked[:position])
        assert all(0.0 <= m.similarity <= 1.0 for m in ranked)


def test_similarity_reports_shared_and_differing_facts(base, tmp_path):
    # a fixed casebook, so that cases added later cannot change which one is nearest
    book = tmp_path / "casebook"
    book.mkdir()
    for name in ("leibovitz-v-paramount", "campbell-v-acuff-rose", "harper-row-v-nation", "kelly-v-arriba-soft"):
        shutil.copy(CASEBOOK / f"{name}.yaml", book)
    cases = load_casebook(book, base)
    query = {"purpose": "parody", "targets_original": True, "commercial": "direct", "work_kind": "photograph"}
    best = rank(query, cases, base)[0]
    assert best.case.id == "leibovitz-v-paramount"
    assert ("purpose", "parody") in best.shared
    other = next(m for m in rank(query, cases, base) if m.case.id == "campbell-v-acuff-rose")
    assert ("work_kind", "photograph", "music") in other.differing


def test_leave_one_out_really_removes_the_case(base, cases, tmp_path, monkeypatch):
    # a casebook holding a case twice under different ids: while one is assessed,
    # the nearest precedent must be its twin, never itself
    book = tmp_path / "casebook"
    book.mkdir()
    for name in ("harper-row-v-nation", "google-v-oracle", "kelly-v-arriba-soft"):
        shutil.copy(CASEBOOK / f"{name}.yaml", book)
    twin = (CASEBOOK / "harper-row-v-nation.yaml").read_text().replace("id: harper-row-v-nation", "id: harper-row-twin")
    (book / "harper-row-twin.yaml").write_text(twin)
    small = load_casebook(book, base)
    table, _, _ = evaluate(small, base)
    rows = table.set_index("id")
    assert rows.loc["harper-row-v-nation", "nearest_precedent"] == "harper-row-twin"
    assert rows.loc["harper-row-twin", "nearest_precedent"] == "harper-row-v-nation"
    for case_id, row in rows.iterrows():
        assert row["nearest_precedent"] != case_id


def test_evaluate_added_none_is_the_casebook_before_dated_batches(base, tmp_path):
    book = tmp_path / "casebook"
    book.mkdir()
    for name in ("harper-row-v-nation", "google-v-oracle", "kelly-v-arriba-soft"):
        shutil.copy(CASEBOOK / f"{name}.yaml", book)
    dated = (CASEBOOK / "kelly-v-arriba-soft.yaml").read_text()
    (book / "kelly-v-arriba-soft.yaml").write_text(dated.rstrip("\n") + "\nadded: \"2026-12-07\"\n")
    small = load_casebook(book, base)
    table, _, _ = evaluate(small, base, added="none")
    assert set(table["id"]) == {"harper-row-v-nation", "google-v-oracle"}
    table, _, _ = evaluate(small, base, added="2026-12-07")
    assert set(table["id"]) == {"kelly-v-arriba-soft"}


def test_evaluation_meets_the_targets(base, cases):
    # the decisions these targets were set on (the casebook before the batch added on 2026-12-07)
    first = [c for c in cases if c.added is None]
    _, _, metrics = evaluate(first, base)
    assert metrics["direction_accuracy"] >= 0.90
    assert metrics["factor_agreement"] >= 0.85
    assert metrics["direction_accuracy"] > metrics["majority_baseline"] + 0.3
    _, _, withheld = evaluate(first, base, ("new_purpose", "output_substitutes"))
    assert withheld["direction_accuracy"] >= 0.80


def test_the_batch_coded_blind_stays_above_the_majority_guess(base, cases):
    """The 80 decisions added on 2026-12-07, coded before any rule ran on them: measured blind at 0.733 with
    every fact (majority 0.547) and 0.680 with a user's facts (README, "The casebook"); a regression below
    these floors fails. With a user's facts the rules may abstain rather than guess: after the kinds-of-use
    rules and the refit they abstained on 0.267 and answered wrongly on 5 of 75 (precision 0.909, was 0.833
    with 10 wrong), so an answer given must stay right at least 0.85 of the time, and abstaining is capped."""
    _, _, every = evaluate(cases, base, added="2026-12-07")
    assert every["cases_decided"] >= 70
    assert every["direction_accuracy"] >= 0.72 and every["direction_accuracy"] > every["majority_baseline"] + 0.15
    table, _, primary = evaluate(cases, base, facts="primary", added="2026-12-07")
    assert primary["direction_accuracy"] >= 0.66 and primary["abstention_rate"] <= 0.30
    decided = table[table["court_outcome"].isin(["fair", "unfair"]) & (table["predicted"] != "uncertain")]
    assert decided["hit"].mean() >= 0.85, decided["hit"].mean()


def test_withhold_rejects_unknown_facts(base, cases):
    with pytest.raises(FairuseError, match="did you mean 'new_purpose'"):
        evaluate(cases, base, ("new_purpse",))


def test_assessment_names_the_closest_precedents_for_and_against(cli):
    with_cases = json.loads(cli("assess", "--example", "song-parody", "--format", "json").stdout)
    assert with_cases["precedents"]
    outcomes = {p["outcome"] for p in with_cases["precedents"]}
    assert {"fair", "unfair"} <= outcomes  # nearest for and against
    for p in with_cases["precedents"]:
        assert set(p) >= {"id", "name", "outcome", "similarity"} and 0 <= p["similarity"] <= 1


def test_the_closest_precedents_shown_do_not_change_the_verdict(base, vocab, tmp_path):
    """The closest precedents listed are for the reader; the verdict is the rules' and (only in the uncertain
    band) the on-point precedents' of its own analogy."""
    from fairuse.analysis import analyse
    from fairuse.answers import load_answers
    answers = load_answers(vocab, ROOT / "examples" / "song-parody.yaml")
    shown = analyse(answers, rulebase=base)
    assert shown.precedents
    alone = analyse(answers, rulebase=base, casebook=None)
    assert alone.precedents == [] and alone.us.verdict in (shown.us.verdict, "uncertain")


def test_cli_commands(cli):
    listing = cli("casebook", "list", "--format", "csv")
    assert listing.returncode == 0 and listing.stdout.startswith("id,name,year,court,outcome")
    show = cli("casebook", "show", "authors-guild-v-google")
    assert "804 F.3d 202" in show.stdout and "Holding:" in show.stdout
    missing = cli("casebook", "show", "authors-guild-v-gogle")
    assert missing.returncode == 2 and "did you mean 'authors-guild-v-google'" in missing.stderr
    similar = cli("casebook", "similar", "--example", "google-books", "--top", "3", "--format", "json")
    rows = json.loads(similar.stdout)
    assert rows[0]["id"] == "authors-guild-v-google"
    stats = cli("casebook", "stats")
    assert "by court" in stats.stdout and "by decade" in stats.stdout and "factor findings" in stats.stdout
    assert "factor agreement with outcome" in stats.stdout


def test_cli_similar_as_of_hides_later_precedents(cli):
    """--as-of used to end in a NameError traceback (parse_date was never imported)."""
    before = cli("casebook", "similar", "--example", "google-books", "--top", "8", "--format", "json",
                 "--as-of", "2014-01-01")
    assert before.returncode == 0, before.stderr
    assert "authors-guild-v-google" not in {row["id"] for row in json.loads(before.stdout)}  # decided 2015
    bad = cli("casebook", "similar", "--example", "google-books", "--as-of", "2014-13-01")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "2014-13-01" in bad.stderr


def test_cli_evaluate_min_gate(cli):
    ok = cli("casebook", "evaluate", "--min", "0.85")
    assert ok.returncode == 0 and "Direction accuracy" in ok.stdout
    strict = cli("casebook", "evaluate", "--min", "0.999")
    assert strict.returncode == 1
    data = json.loads(cli("casebook", "evaluate", "--format", "json", "--withhold", "new_purpose,output_substitutes").stdout)
    assert data["metrics"]["withheld"] == ["new_purpose", "output_substitutes"]


def test_evaluate_primary_withholds_every_conclusory_fact_the_rules_infer(base):
    from fairuse.casebook import load_casebook
    from fairuse.evaluation import evaluate
    cases = load_casebook(CASEBOOK, base)
    # derived from the rules' findings (stated_by), not a hand list
    assert set(base.conclusory_facts) == {"new_purpose", "output_substitutes", "amount_necessary", "non_expressive",
                                          "license_covers_use"}
    us = [c for c in cases if c.id in ("harper-row-v-nation", "authors-guild-v-google", "warhol-v-goldsmith")]
    table, _, metrics = evaluate(us, base, facts="primary")
    assert set(metrics["withheld"]) == set(base.conclusory_facts)
    assert metrics["facts"] == "primary" and 0 <= metrics["abstention_rate"] <= 1
    assert set(table["id"]) == {c.id for c in us}


def test_evaluate_split_and_bad_options(base):
    import pytest

    from fairuse.casebook import load_casebook
    from fairuse.evaluation import evaluate
    from fairuse.errors import FairuseError
    cases = load_casebook(CASEBOOK, base)[:4]
    table, _, metrics = evaluate(cases, base, split="holdout")
    assert metrics["cases_evaluated"] == sum(c.split == "holdout" for c in cases if c.assess_as != "none")
    with pytest.raises(FairuseError, match="--facts"):
        evaluate(cases, base, facts="some")
    with pytest.raises(FairuseError, match="--split"):
        evaluate(cases, base, split="test")


def test_evaluate_leaves_each_case_out_of_its_own_precedents(base, monkeypatch):
    import fairuse.assess as assess_module
    from fairuse.casebook import load_casebook
    from fairuse.evaluation import evaluate
    cases = [c for c in load_casebook(CASEBOOK, base) if c.jurisdiction == "us"][:5]
    seen = []
    real = assess_module.assess

    def spy(answers, **kw):
        seen.append((kw.get("exclude"), [c.id for c in kw.get("casebook") or []]))
        return real(answers, **kw)

    monkeypatch.setattr(assess_module, "assess", spy)
    evaluate(cases, base)
    assert seen and all(excluded not in pool for excluded, pool in seen)


def test_cli_evaluate_modes(cli):
    out = cli("casebook", "evaluate", "--facts", "primary", "--split", "dev", "--format", "json")
    metrics = json.loads(out.stdout)["metrics"]
    assert metrics["facts"] == "primary" and metrics["split"] == "dev"
    assert {"abstention_rate", "majority_baseline", "direction_accuracy", "decided_by_precedent"} <= set(metrics)
    bad = cli("casebook", "evaluate", "--facts", "some")
    assert bad.returncode == 2 and "--facts" in bad.stderr and "Traceback" not in bad.stderr
