"""What a team does next, as files: an exclusion list per jurisdiction (domains or URLs
to drop, with reasons), the opt-out compliance log (each reservation found, where and
when it was read, and whether the rows were excluded; and what was not checked), and
a draft of the EU AI Act public summary of training content (Art 53(1)(d)) in the
Commission's template, filled from the triage, with what the user must still complete
marked. Not legal advice.

The AI Act template (checked 2026-12-07; see :data:`TEMPLATE_SOURCES`): the
Commission's "Explanatory Notice and Template for the Public Summary of Training
Content for general-purpose AI models" (published 24 July 2025; adopted as
Communication C(2025) 8311). Its sections, as listed by the secondary sources below:
1 General information (1.1 provider, 1.2 model, 1.3 modalities, overall training
data size and other characteristics); 2 List of data sources (2.1 publicly
available datasets, 2.2 private non-publicly available datasets obtained from third
parties, 2.3 data crawled and scraped from online sources, 2.4 user data, 2.5
synthetic data, 2.6 other sources); 3 Data processing aspects (3.1 respect of
reservation of rights from the text and data mining exception or limitation, 3.2
removal of illegal content, 3.3 other information). For crawled data (2.3) the
summary lists the most relevant domain names: the top 10% of all domain names by
the size of the content scraped, or for SMEs the top 5% or 1,000 domains, whichever
is lower. UNVERIFIED: both the section list and the domain rule are taken from
secondary sources, not from the Commission's own text.
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

DROP = ("does_not_apply", "likely_unfair", "leaning_unfair")
TEMPLATE_SOURCES = (
    "European Commission, press release 'Commission presents template for General-Purpose AI model providers to "
    "summarise the data used to train their model', 24 July 2025 (digital-strategy.ec.europa.eu)",
    "European Commission, Explanatory Notice and Template for the Public Summary of Training Content for "
    "general-purpose AI models, C(2025) 8311 final (text as reproduced at project-babel.com; not read in full here)",
    "CycloneDX ML-BOM guide, Appendix A: mappings to the Template (section and field list)",
    "Belgravia Law, 'EU AI Act publishes new copyright template for GPAI model data transparency' (top 10% of "
    "domain names; SMEs top 5% or up to 1,000)",
)
TEMPLATE_UNVERIFIED = ("The template's sections and the rule for listing domain names are taken from secondary "
                       "sources (listed at the end), not from the Commission's own text; check them against it.")


class Exclusions:
    """Collects, per jurisdiction, the rows whose verdict says drop them (does not apply,
    unfair): streamed to a temporary Parquet file, grouped by site at the end."""

    def __init__(self, folder: Path, jurisdictions: list | None = None, book=None):
        self.folder = Path(folder)
        self.jurisdictions = jurisdictions  # None: those of the first batch's verdict columns
        self.book = book
        self._writers: dict = {}
        self._tmp = self.folder / f".exclusions.{os.getpid()}.tmp"

    def add(self, d) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if self.jurisdictions is None:
            self.jurisdictions = [c[len("verdict_"):] for c in d.column_names if c.startswith("verdict_")]
        for j in self.jurisdictions:
            v = d.column(f"verdict_{j}")
            mask = pc.is_in(v.cast(pa.string()), value_set=pa.array(DROP))
            if not pc.any(mask).as_py():
                continue
            cols = {"url": d.column("url"), "host": d.column("host").cast(pa.string()),
                    "bytes": d.column("bytes") if "bytes" in d.column_names else pa.nulls(d.num_rows, pa.int64()),
                    "verdict": v.cast(pa.string()), "rule": d.column(f"rule_{j}").cast(pa.string()),
                    "signal": d.column("reservation_signal").cast(pa.string()),
                    "licence": d.column("licence_rule").cast(pa.string())}
            part = pa.table(cols).filter(mask)
            w = self._writers.get(j)
            if w is None:
                self._tmp.mkdir(parents=True, exist_ok=True)
                w = self._writers[j] = pq.ParquetWriter(self._tmp / f"{j}.parquet", part.schema)
            w.write_table(part)

    def reason(self, signal, licence, rule) -> str:
        if signal and signal in self.book.signals and signal != "no_reservation_found":
            return self.book.signals[signal].label
        if licence:
            lic = next((x for x in self.book.licences if x.id == licence), None)
            if lic is not None and lic.sets:
                return lic.label
        return "the rules' answer for the corpus as described" if rule else "unknown facts"

    def finish(self, result, force: bool = True) -> list[Path]:
        """Write ``exclusions-<jurisdiction>.csv``: a whole site when all its rows are dropped for one
        reason, else each URL. Returns the files written."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        from ..atomic import write_atomic

        self.book = result.book
        self.jurisdictions = result.decider.jurisdictions
        totals = result.summary.host_rows
        written = []
        try:
            for j in self.jurisdictions:
                w = self._writers.pop(j, None)
                lines = io.StringIO()
                out = csv.writer(lines, lineterminator="\n")
                out.writerow(["scope", "value", "rows", "bytes", "verdict", "reason", "rule"])
                if w is not None:
                    w.close()
                    t = pq.read_table(self._tmp / f"{j}.parquet")
                    g = t.group_by(["host", "verdict", "rule", "signal", "licence"]).aggregate([("url", "count"),
                                                                                                  ("bytes", "sum")])
                    per_host: dict = {}
                    for row in g.to_pylist():
                        per_host.setdefault(row["host"], []).append(row)
                    whole = {h for h, groups in per_host.items() if len(groups) == 1
                             and groups[0]["url_count"] == totals.get(h, -1)}
                    for h in sorted(whole):
                        gr = per_host[h][0]
                        out.writerow(["domain", h, gr["url_count"], gr["bytes_sum"] or 0, gr["verdict"],
                                      self.reason(gr["signal"], gr["licence"], gr["rule"]), gr["rule"] or ""])
                    rest = t.filter(pc.invert(pc.is_in(t.column("host"), value_set=pa.array(sorted(whole), pa.string()))))
                    for r in sorted(rest.to_pylist(), key=lambda r: r["url"]):
                        out.writerow(["url", r["url"], 1, r["bytes"] or 0, r["verdict"],
                                      self.reason(r["signal"], r["licence"], r["rule"]), r["rule"] or ""])
                path = self.folder / f"exclusions-{j}.csv"
                write_atomic(path, lines.getvalue(), force=force)
                written.append(path)
        finally:
            self.abort()
        return written

    def abort(self) -> None:
        for w in self._writers.values():
            w.close()
        self._writers = {}
        if self._tmp.exists():
            for p in self._tmp.iterdir():
                p.unlink()
            self._tmp.rmdir()


def optout_log(result) -> str:
    """The opt-out compliance log (CSV): each reservation found (site, signal, where and when it
    was read, rows and bytes, whether they were excluded), then each site whose robots.txt was
    not checked. A copyright policy under AI Act Art 53(1)(c) keeps such a record."""
    s, book, sites = result.summary, result.book, result.sites
    lines = io.StringIO()
    out = csv.writer(lines, lineterminator="\n")
    out.writerow(["domain", "finding", "signal", "read_from", "captured", "sha256", "rows", "bytes",
                  "first_fetched", "last_fetched", "rows_excluded_eu", "honoured"])
    for (host, sig), e in sorted(s.evidence.items(), key=lambda kv: (-kv[1]["rows"], kv[0])):
        signal = book.signals.get(sig)
        cap = None
        if sites is not None:
            if signal is not None and signal.source == "robots.txt":
                cap = sites.robots.get(host)
            elif sig == "tdmrep_file":
                cap = sites.tdmrep.get(host)
        read_from = cap.source if cap else (signal.source if signal else "")
        out.writerow([host, "reservation", signal.label if signal else sig, read_from, (cap.when or "") if cap else "",
                      (cap.sha256 or "") if cap else "", e["rows"], e["bytes"], e["first"] or "", e["last"] or "",
                      e["honoured"], "yes" if e["honoured"] == e["rows"] else "no"])
    for host, rows in sorted(s.not_checked_hosts("robots_txt").items(), key=lambda kv: (-kv[1], kv[0])):
        cap = sites.robots.get(host) if sites is not None else None
        out.writerow([host, "robots.txt not checked", "", cap.source if cap else "", "", "", rows, "", "", "", "",
                      "not applicable"])
    return lines.getvalue()


def top_domains(result, share: float = 0.10, cap: int | None = None) -> list:
    """The top ``share`` of all domain names by size of content (bytes; rows when no sizes), at most ``cap``."""
    s = result.summary
    sizes = s.host_bytes if s.has_bytes and s.bytes_out else s.host_rows
    ranked = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    k = math.ceil(len(ranked) * share) if ranked else 0
    if cap is not None:
        k = min(k, cap)
    return ranked[:k]


TODO = "**[TO COMPLETE]**"


def ai_act_summary(result, answers: dict | None = None) -> str:
    """A draft of the public summary of training content (AI Act Art 53(1)(d)), Markdown."""
    s = result.summary
    answers = answers if answers is not None else result.decider.answers
    jur = result.decider.jurisdictions
    rows, nbytes = s.rows_out, s.bytes_out
    top = top_domains(result)
    sme = top_domains(result, 0.05, 1000)
    kinds = {}
    for ct, n in s.content_types.items():
        major = (ct or "").split("/")[0] or "unknown"
        kinds[major] = kinds.get(major, 0) + n
    eu_drop = sum(n for (j, v), n in s.verdict_rows.items() if j == "eu" and v in DROP)
    reserving = sum(e["rows"] for e in s.evidence.values())
    honoured = sum(e["honoured"] for e in s.evidence.values())
    unchecked = s.state_rows.get(("robots_txt", "not checked"), 0)
    agents = ", ".join(result.book.ai_user_agents)
    period = (f"{s.first_fetched} to {s.last_fetched}" if s.first_fetched else TODO + " (the manifest has no fetch dates)")
    size_words = (f"{nbytes:,} bytes in {rows:,} documents" if s.has_bytes and nbytes else f"{rows:,} documents "
                  f"(sizes not given) {TODO}: give the size in the template's ranges")
    lines = [
        "# Public summary of training content (draft)",
        "",
        "> Draft made by `fairuse triage` from the corpus it triaged, in the structure of the European Commission's",
        "> template for the public summary of training content of general-purpose AI models (AI Act Art 53(1)(d);",
        "> template of 24 July 2025). Everything marked " + TODO + " is for the provider to complete; figures are",
        "> for the triaged corpus only. " + TEMPLATE_UNVERIFIED + " Not legal advice.",
        "",
        "## 1. General information",
        "",
        "### 1.1. Provider identification",
        f"- Provider name and contact details: {TODO}",
        f"- Authorised representative name and contact details: {TODO} (where the provider is established outside the Union)",
        "",
        "### 1.2. Model identification",
        f"- Versioned model name(s): {TODO}",
        f"- Model dependencies (a model this one modifies or fine-tunes): {TODO}",
        f"- Date of placement of the model on the Union market: {TODO}",
        "",
        "### 1.3. Modalities, overall training data size and other characteristics",
        f"- Modality: {', '.join(f'{k} ({n:,} documents)' for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])) or TODO + ' (no content types in the manifest)'}",
        f"- Training data size (this corpus, after triage, before training): {size_words}",
        f"- Types of content: {TODO} (e.g. news, fiction, code; the manifest does not say)",
        "",
        "## 2. List of data sources",
        "",
        "### 2.1. Publicly available datasets",
        f"- {TODO}: name each publicly available dataset used (a Common Crawl snapshot belongs here, not in 2.3).",
        "",
        "### 2.2. Private non-publicly available datasets obtained from third parties",
        f"- 2.2.1 Datasets commercially licensed by rightsholders or their representatives: {TODO}",
        f"- 2.2.2 Private datasets obtained from other third parties: {TODO}",
        "",
        "### 2.3. Data crawled and scraped from online sources",
        f"- Crawler name(s)/identifier(s): {TODO}",
        f"- Purposes of the crawler(s): {TODO}",
        f"- General description of crawler behaviour: {TODO} (e.g. whether it follows robots.txt; this triage "
        f"read robots.txt for the AI crawlers {agents})",
        f"- Period of data collection: {period}",
        f"- Comprehensive description of the type of content and online sources crawled: {TODO}",
        f"- Type of modality covered: {', '.join(sorted(kinds)) or TODO}",
        f"- Summary of the most relevant domain names crawled: the top 10% of all {len(s.host_rows):,} domain names "
        f"by size of content ({'bytes' if s.has_bytes and nbytes else 'documents, as no sizes were given'}), "
        f"{len(top):,} names, are listed in the annex. An SME may list the top 5% or 1,000, whichever is lower "
        f"({len(sme):,} names here). Names are host names as crawled; {TODO}: merge hosts of one registered domain "
        "if the summary should list registered domains.",
        "",
        "### 2.4. User data",
        f"- {TODO}: whether data from the provider's services or products was used, and which.",
        "",
        "### 2.5. Synthetic data",
        f"- {TODO}: the models used to generate synthetic training data, if any.",
        "",
        "### 2.6. Other sources of data",
        f"- {TODO}",
        "",
        "## 3. Data processing aspects",
        "",
        "### 3.1. Respect of reservation of rights from text and data mining exception or limitation",
        f"- Measures (from this triage): each document's site was checked for reservations of text and data mining "
        f"(DSM Directive Art 4(3)): robots.txt rules for the AI crawlers {agents} (RFC 9309), the W3C TDM "
        "Reservation Protocol (tdmrep.json, the tdm-reservation header and meta tag), noai and noimageai "
        "directives, the IETF AI-preferences Content-Usage drafts, and reservations in terms of use.",
        f"- Found: {reserving:,} documents carried a reservation; {honoured:,} of them are excluded "
        f"{'(their EU verdict is not applies)' if 'eu' in jur else ''}; {eu_drop:,} documents in all are marked "
        "for exclusion for the EU (see the exclusion list).",
        (f"- Not checked: robots.txt was not checked for {unchecked:,} documents; {TODO}: check them before "
         "training, or describe how they were handled." if unchecked else
         "- robots.txt was checked for every document's site."),
        f"- {TODO}: the provider's other measures (its copyright policy under Art 53(1)(c), crawler behaviour, "
        "licences).",
        "",
        "### 3.2. Removal of illegal content",
        f"- {TODO}: measures taken to avoid or remove illegal content (blocklists, keywords, classifiers).",
        "",
        "### 3.3. Other information (optional)",
        f"- {TODO}",
        "",
        "## Annex: the most relevant domain names (top 10% by size of content)",
        "",
        "| Domain name | " + ("Bytes" if s.has_bytes and nbytes else "Documents") + " |",
        "|---|---|",
    ]
    lines += [f"| {h} | {n:,} |" for h, n in top]
    lines += ["", "## Sources for this draft's structure", ""] + [f"- {src}" for src in TEMPLATE_SOURCES]
    lines += ["", f"_{TEMPLATE_UNVERIFIED} Not legal advice._", ""]
    return "\n".join(lines)
