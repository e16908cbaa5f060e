"""Per-site files: robots.txt (RFC 9309, parsed with protego) and TDMRep's
``/.well-known/tdmrep.json``, read once per distinct text and looked up per row.

RFC 9309 s.2.3.1: a 2xx answer is parsed and its parseable rules followed
(unparseable lines are ignored, s.2.2); "unavailable" (4xx) lets a crawler
access anything; "unreachable" (5xx, or no answer) means complete disallow.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

# what a robots.txt says for every AI crawler at once, per distinct text
ALLOW, DISALLOW_AI, DISALLOW_ALL, MIXED, UNPARSEABLE = 0, 1, 2, 3, 4
# how the site's robots.txt answered
NOT_CHECKED, FETCHED, UNAVAILABLE, UNREACHABLE = 0, 1, 2, 3


@dataclass
class Parsed:
    """One distinct robots.txt text, read for the AI crawler list."""

    kind: int
    groups: list = field(default_factory=list)  # [(ruleset, names_an_ai_agent)] when MIXED
    usage: list = field(default_factory=list)  # [(path prefix, {category: y|n})] Content-Usage rules
    lines: int = 0
    ignored: int = 0


def _rules_of(rs) -> tuple[bool, bool]:
    """(has a disallow rule, disallows everything) for a protego rule set."""
    rules = rs._rules
    disallows = [r for r in rules if r.field == "disallow"]
    allows = [r for r in rules if r.field == "allow"]
    everything = any(r.value._pattern in ("/", "/*") for r in disallows) and not allows
    return bool(disallows), everything


_UA_LINE = re.compile(r"^\s*user-?agent\s*:\s*(.*?)\s*(#.*)?$", re.I)
_CU_LINE = re.compile(r"^\s*content-usage\s*:\s*(.*?)\s*(#.*)?$", re.I)
_RULE_LINE = re.compile(r"^\s*[a-z-]+\s*:", re.I)


def _content_usage_rules(text: str, agents: tuple) -> list:
    """``Content-Usage`` lines (draft-ietf-aipref-attach) in groups for ``*`` or an AI crawler."""
    from .signals import content_usage

    wanted = {a.lower() for a in agents} | {"*"}
    out = []
    group: set = set()
    in_rules = False
    for line in text.splitlines():
        m = _UA_LINE.match(line)
        if m:
            if in_rules:
                group, in_rules = set(), False
            group.add(m.group(1).lower())
            continue
        m = _CU_LINE.match(line)
        if m:
            in_rules = True
            if group & wanted:
                value = m.group(1)
                path = "/"
                if value.startswith("/"):
                    path, _, value = value.partition(" ")
                prefs = content_usage(value)
                if prefs:
                    out.append((path, prefs))
            continue
        if _RULE_LINE.match(line):
            in_rules = True
    return out


def parse_robots(text: str, agents: tuple) -> Parsed:
    from protego import Protego

    parser = Protego.parse(text)
    lines = parser._total_line_seen
    usage = _content_usage_rules(text, agents)
    if parser._valid_directive_seen == 0 and text.strip() and not usage:
        return Parsed(UNPARSEABLE, lines=lines, ignored=lines)
    groups: dict = {}
    for agent in agents:
        rs = parser._get_matching_rule_set(agent.lower())
        if rs is not None:
            groups[id(rs)] = (rs, rs.user_agent != "*")
    if not groups:
        return Parsed(ALLOW, usage=usage, lines=lines, ignored=parser._invalid_directive_seen)
    found = [(rs, specific, *_rules_of(rs)) for rs, specific in groups.values()]
    if not any(has for _, _, has, _ in found):
        kind = ALLOW
    elif any(every for _, _, _, every in found):
        specific = any(s for _, s, _, every in found if every)
        kind = DISALLOW_AI if specific else DISALLOW_ALL
    else:
        kind = MIXED
    return Parsed(kind, [(rs, s) for rs, s, has, _ in found if has], usage, lines, parser._invalid_directive_seen)


_NOISE = re.compile(r"^\s*(?:#.*|(?:sitemap|host)\s*:.*)?$", re.I)


def normalise(text: str) -> str:
    """robots.txt without comments, blank, Sitemap and Host lines: they decide nothing
    for crawling, and many sites differ only in them (one parse per distinct rules)."""
    return "\n".join(line.split("#", 1)[0].rstrip() for line in text.splitlines() if not _NOISE.match(line))


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=12).hexdigest()


def _NOISE_ONLY(text: str) -> bool:
    return all(_NOISE.match(line) for line in text.splitlines())


@dataclass
class SiteBook:
    """What is known of each host: its robots.txt (status, text) and tdmrep.json.

    Texts are stored once per distinct content; hosts point at them. It pickles
    small (texts, not parsers): parsers are built lazily where it is used.
    """

    agents: tuple
    robots_status: dict = field(default_factory=dict)  # host -> FETCHED | UNAVAILABLE | UNREACHABLE
    robots_key: dict = field(default_factory=dict)  # host -> text key
    robots_texts: dict = field(default_factory=dict)  # key -> text
    robots_date: dict = field(default_factory=dict)  # host -> when fetched (str)
    tdmrep: dict = field(default_factory=dict)  # host -> [(location, reservation)]
    problems: list = field(default_factory=list)  # (source, message) reported per source
    _parsed: dict = field(default_factory=dict, repr=False)
    _table: tuple | None = field(default=None, repr=False)

    def table(self):
        """Per known host, as arrays: robots status, what its rules say, whether rows
        need a look one by one (mixed rules, Content-Usage, tdmrep.json), has tdmrep."""
        if self._table is None:
            import pandas as pd

            hosts = sorted(set(self.robots_status) | set(self.tdmrep))
            status = np.array([self.robots_status.get(h, NOT_CHECKED) for h in hosts], dtype=np.int8)
            kind = np.full(len(hosts), -1, dtype=np.int8)
            needs = np.zeros(len(hosts), dtype=bool)
            tdm = np.array([h in self.tdmrep for h in hosts], dtype=bool)
            for i, h in enumerate(hosts):
                if status[i] == FETCHED:
                    parsed = self.parsed(self.robots_key[h])
                    kind[i] = parsed.kind
                    needs[i] = parsed.kind == MIXED or bool(parsed.usage)
            needs |= tdm
            self._table = (pd.Index(hosts, dtype=object), status, kind, needs, tdm)
        return self._table

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_parsed"] = {}
        state["_table"] = None
        return state

    def add_robots(self, host: str, status: int | None, text: str | None, source: str, fetched: str | None = None):
        host = host.lower()
        self._table = None
        if status is None:
            status = 200 if text is not None else 0
        if 200 <= status < 300:
            rules = normalise(text or "")
            if not rules and (text or "").strip() and not _NOISE_ONLY(text or ""):
                rules = text or ""
            key = text_key(rules)
            self.robots_texts.setdefault(key, rules)
            self.robots_key[host] = key
            self.robots_status[host] = FETCHED
            parsed = self.parsed(key)
            if parsed.kind == UNPARSEABLE:
                self.problems.append((source, f"robots.txt for {host} has no parseable rule ({parsed.lines} lines ignored); "
                                              "RFC 9309 s.2.2: nothing is disallowed"))
        elif 300 <= status < 500:
            self.robots_status[host] = UNAVAILABLE
        else:
            self.robots_status[host] = UNREACHABLE
        if fetched:
            self.robots_date[host] = str(fetched)

    def add_tdmrep(self, host: str, text: str, source: str):
        from .signals import parse_tdmrep

        self._table = None
        try:
            self.tdmrep[host.lower()] = parse_tdmrep(text)
        except (ValueError, TypeError) as exc:
            self.problems.append((source, f"tdmrep.json for {host} cannot be read ({exc}); ignored"))

    def parsed(self, key: str) -> Parsed:
        if key not in self._parsed:
            self._parsed[key] = parse_robots(self.robots_texts[key], self.agents)
        return self._parsed[key]

    def __len__(self) -> int:
        return len(set(self.robots_status) | set(self.tdmrep))


def evaluate(book: SiteBook, hosts: np.ndarray, paths: np.ndarray, usage_categories: list) -> dict:
    """Robots and TDMRep file signals for each row (vectorised by site).

    ``hosts`` and ``paths`` are object arrays (None where unknown). Returns boolean
    arrays keyed by signal id, plus ``robots_checked``.
    """
    from .signals import tdmrep_reservation, usage_reserved

    n = len(hosts)
    out = {k: np.zeros(n, dtype=bool) for k in (
        "robots_disallow_ai_agent", "robots_disallow_all_agents", "robots_unreachable", "robots_unavailable",
        "robots_unparseable", "robots_content_usage", "tdmrep_file", "robots_checked")}
    if n == 0 or (not book.robots_status and not book.tdmrep):
        return out
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(hosts, dtype=object), use_na_sentinel=True)
    m = len(uniques)
    index, t_status, t_kind, t_needs, t_tdm = book.table()
    at = index.get_indexer(pd.Index(uniques, dtype=object))
    known = at >= 0
    at0 = np.where(known, at, 0)
    site_status = np.where(known, t_status[at0], NOT_CHECKED).astype(np.int8)
    site_kind = np.where(known, t_kind[at0], -1).astype(np.int8)
    has_tdm = known & t_tdm[at0]
    needs_rows = np.flatnonzero(known & t_needs[at0]).tolist()
    valid = codes >= 0
    row_status = np.zeros(n, dtype=np.int8)
    row_kind = np.full(n, -1, dtype=np.int8)
    row_status[valid] = site_status[codes[valid]]
    row_kind[valid] = site_kind[codes[valid]]
    out["robots_checked"] = (row_status != NOT_CHECKED) | (valid & has_tdm[np.where(valid, codes, 0)])
    out["robots_unavailable"] = row_status == UNAVAILABLE
    out["robots_unreachable"] = row_status == UNREACHABLE
    out["robots_unparseable"] = row_kind == UNPARSEABLE
    out["robots_disallow_ai_agent"] = row_kind == DISALLOW_AI
    out["robots_disallow_all_agents"] = row_kind == DISALLOW_ALL
    if not needs_rows:
        return out
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(m))
    ends = np.searchsorted(codes[order], np.arange(m), side="right")
    for u in needs_rows:
        host = uniques[u]
        rows = order[starts[u]:ends[u]]
        rules = book.tdmrep.get(host)
        if rules is not None:
            for i in rows:
                if tdmrep_reservation(rules, paths[i] or "/") == 1:
                    out["tdmrep_file"][i] = True
        if site_status[u] != FETCHED:
            continue
        parsed = book.parsed(book.robots_key[host])
        if parsed.kind == MIXED:
            for i in rows:
                path = paths[i] or "/"
                for rs, specific in parsed.groups:
                    if not rs.can_fetch(path):
                        out["robots_disallow_ai_agent" if specific else "robots_disallow_all_agents"][i] = True
                        break
        if parsed.usage:
            for i in rows:
                path = paths[i] or "/"
                # the longest matching path prefix decides, as for robots.txt rules
                best = max((p for p in parsed.usage if path.startswith(p[0])), key=lambda p: len(p[0]), default=None)
                if best and usage_reserved(best[1], usage_categories):
                    out["robots_content_usage"][i] = True
    return out
