"""The Dask path gives the single-process result on the same input."""

from __future__ import annotations

import pandas as pd
import pytest

import fairuse
from triage_fixtures import answers, answers_file, robots_dir  # noqa: F401  (pytest fixtures)

dd = pytest.importorskip("dask.dataframe")  # declared in the test extra; skipped only without it
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def corpus() -> pd.DataFrame:
    hosts = ["news.example", "shop.example", "blog.example", "closed.example", "gone.example", "pref.example", "x.example"]
    paths = ["/", "/cart/1", "/articles/a", "/about", "/search?q=1"]
    rows = []
    for i in range(400):
        url = f"https://{hosts[i % len(hosts)]}{paths[i % len(paths)]}{i}"
        rows.append({"url": url if i % 97 else "broken url", "license": ["CC-BY-4.0", None, "CC-BY-NC-4.0", None][i % 4],
                     "x_robots_tag": "noai" if i % 31 == 0 else None, "bytes": i * 10,
                     "work_kind": "news" if i % 53 else "newz"})
    return pd.DataFrame(rows)


def test_dask_matches_single_process(client, robots_dir, answers):
    df = corpus()
    single = fairuse.triage(df, answers, robots=[robots_dir])
    parallel = fairuse.triage(dd.from_pandas(df, npartitions=2), answers, robots=[robots_dir], client=client)
    cols = list(single.columns)
    a = single.sort_values("row").reset_index(drop=True).astype(str)
    b = parallel[cols].sort_values("row").reset_index(drop=True).astype(str)
    pd.testing.assert_frame_equal(a, b)
    assert [e["row"] for e in single.attrs["errors"]] == [e["row"] for e in parallel.attrs["errors"]]
    assert len(parallel) + len(parallel.attrs["errors"]) == len(df)
    assert parallel.attrs["engine_runs"] == single.attrs["engine_runs"]


def test_cli_dask(client, tmp_path, robots_dir, answers_file):
    from fairuse.triage.run import triage_files

    def clients() -> int:
        return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.clients))

    before = clients()
    src = tmp_path / "m.parquet"
    corpus().to_parquet(src)
    one = triage_files([src], answers_path=answers_file, out=tmp_path / "one.parquet", robots=[robots_dir])
    two = triage_files([src], answers_path=answers_file, out=tmp_path / "two.parquet", robots=[robots_dir],
                       dask_address=client.scheduler.address)
    assert (one.rows_in, one.rows_out, one.errors) == (two.rows_in, two.rows_out, two.errors) == (400, 388, 12)
    assert clients() == before  # the client the run connected is closed when it ends
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one.parquet"), pd.read_parquet(tmp_path / "two.parquet"))
