"""Per-site files: robots.txt (RFC 9309, parsed here in one linear pass) and TDMRep's
``/.well-known/tdmrep.json``, read once per distinct text and looked up per row.

RFC 9309 s.2.3.1: a 2xx answer is parsed and its parseable rules followed
(unparseable lines are ignored, s.2.2); "unavailable" (4xx) lets a crawler
access anything; "unreachable" (5xx, or no answer) means complete disallow.
s.2.5: only the first 500 KiB are parsed (the limit a crawler may impose).

Bounded work, whatever a site publishes: a file is read up to its limit and
never from a device or FIFO; rules are matched without backtracking
(:mod:`.patterns`); a group of more than :data:`MAX_RULES` rules, or a pattern
longer than :data:`~.patterns.MAX_PATTERN`, is not evaluated: the site counts as
not checked and is reported, so no verdict rests on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field

import numpy as np

from .patterns import MAX_PATTERN, Pattern

ROBOTS_LIMIT = 500 * 1024  # RFC 9309 s.2.5: the parsing limit, at least 500 KiB
TDMREP_LIMIT = 1 << 20  # a tdmrep.json larger than 1 MiB is not read
TDMREP_RULES = 1_000  # rules in one tdmrep.json
MAX_RULES = 2_000  # rules in the robots.txt groups that apply to the AI crawlers

# what a robots.txt says for every AI crawler at once, per distinct text
ALLOW, DISALLOW_AI, DISALLOW_ALL, DISALLOW_OTHER_AI, MIXED, UNPARSEABLE, TOO_LARGE = range(7)
# how the site's robots.txt (or tdmrep.json) answered
NOT_CHECKED, FETCHED, UNAVAILABLE, UNREACHABLE, REFUSED = range(5)
# evidence states, per row and signal family
RESERVING, NOT_RESERVING, STATE_NOT_CHECKED, STATE_UNREACHABLE = "reserving", "not reserving", "not checked", "unreachable"
STATES = (RESERVING, NOT_RESERVING, STATE_NOT_CHECKED, STATE_UNREACHABLE)


class SiteFileError(ValueError):
    """A site file that cannot be read (too large, a special file, not text): reported, never fatal."""


def read_site_file(path: str, limit: int) -> tuple[bytes, bool]:
    """(the first ``limit`` bytes, whether the file is longer) of a regular file.

    Opened without blocking and checked with fstat before reading: a FIFO, device
    or socket named like a site file is refused, never waited on.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise SiteFileError(f"cannot be read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SiteFileError("is not a regular file (a FIFO, device or socket); refused")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(16384 if not chunks else 1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        return data[:limit], len(data) > limit
    except OSError as exc:
        raise SiteFileError(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


# ---------------------------------------------------------------------- robots.txt

@dataclass(frozen=True)
class Policy:
    """The rules one crawler follows (its groups combined, RFC 9309 s.2.2.1)."""

    rules: tuple  # ((Pattern, allow), ...)
    kind: int  # ALLOW (no disallow rule), DISALLOW_ALL (everything), MIXED (per path)

    def disallows(self, path: str) -> bool:
        best_allow, best_disallow = -1, -1
        for pattern, allow in self.rules:
            if pattern.length > (best_allow if allow else best_disallow) and pattern.match(path):
                if allow:
                    best_allow = pattern.length
                else:
                    best_disallow = pattern.length
        return best_disallow > best_allow  # the longest match wins; allow on a tie (s.2.2.2)

    def disallowed(self, paths) -> np.ndarray:
        """Per path of an Arrow string array: disallowed?"""
        n = len(paths)
        if self.kind == ALLOW:
            return np.zeros(n, bool)
        if self.kind == DISALLOW_ALL:
            return np.ones(n, bool)
        if n * len(self.rules) <= 512:  # few rows: a plain loop costs less than Arrow calls
            return np.fromiter((self.disallows(p or "/") for p in paths.to_pylist()), bool, n)
        best = {True: np.full(n, -1, np.int64), False: np.full(n, -1, np.int64)}
        for pattern, allow in self.rules:
            hit = pattern.mask(paths).fill_null(False).to_numpy(zero_copy_only=False)
            np.maximum(best[allow], np.where(hit, pattern.length, -1), out=best[allow])
        return best[False] > best[True]


def _policy(rules: list) -> Policy:
    rules = tuple(dict.fromkeys(rules))
    if not any(not allow for _, allow in rules):
        return Policy(rules, ALLOW)
    everything = any(not allow and p.text in ("/", "*", "/*") for p, allow in rules)
    return Policy(rules, DISALLOW_ALL if everything and all(not allow for _, allow in rules) else MIXED)


@dataclass
class Parsed:
    """One distinct robots.txt text, read for the AI crawler list."""

    kind: int
    specific: list = field(default_factory=list)  # policies of AI crawlers a group names
    star: Policy | None = None  # the * group's policy, when some AI crawler falls to it
    usage: list = field(default_factory=list)  # [(path prefix, {category: y|n})] Content-Usage rules
    lines: int = 0
    ignored: int = 0
    named: tuple = ()  # AI crawlers a group names (for the evidence)
    why: str = ""  # TOO_LARGE: what limit


_AGENT_KEYS = ("user-agent", "useragent", "user agent")
_OTHER_KEYS = ("sitemap", "crawl-delay", "host", "clean-param", "request-rate", "visit-time", "noindex", "nofollow")


def _product(value: str) -> str:
    return re.split(r"[\s/]", value.strip().lower(), maxsplit=1)[0]


def parse_robots(text: str, agents: tuple) -> Parsed:
    """Read a robots.txt for ``agents`` in one pass over its lines (never quadratic)."""
    from .signals import content_usage

    wanted = {a.lower() for a in agents}
    groups: list = []  # [(products, rules)]
    current = None
    in_rules = False
    valid = invalid = lines = 0
    usage = []
    for raw in text.splitlines():
        lines += 1
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            invalid += 1
            continue
        key, value = key.strip().lower(), value.strip()
        if key in _AGENT_KEYS:
            valid += 1
            if current is None or in_rules:
                current = (set(), [])
                groups.append(current)
                in_rules = False
            current[0].add(_product(value) if value.strip() != "*" else "*")
        elif key in ("allow", "disallow"):
            valid += 1
            if current is None:
                continue  # a rule before any user-agent line belongs to no group
            in_rules = True
            if value:
                current[1].append((value, key == "allow"))
        elif key == "content-usage":
            valid += 1
            if current is None:
                continue
            in_rules = True
            if current[0] & (wanted | {"*"}):
                path = "/"
                if value.startswith("/"):
                    path, _, value = value.partition(" ")
                prefs = content_usage(value)
                if prefs:
                    usage.append((path, prefs))
        elif key in _OTHER_KEYS:
            valid += 1
        else:
            invalid += 1
    if valid == 0 and text.strip():
        return Parsed(UNPARSEABLE, lines=lines, ignored=lines)
    named = tuple(a for a in agents if any(a.lower() in g[0] for g in groups))
    star_rules = [r for products, rules in groups if "*" in products for r in rules]
    policies: dict = {}
    uses_star = False
    for agent in agents:
        mine = [r for products, rules in groups if agent.lower() in products for r in rules]
        if mine:
            policies.setdefault(tuple(mine), None)
        else:
            uses_star = True
    every = list(policies) + ([tuple(star_rules)] if uses_star else [])
    for rules in every:
        if len(rules) > MAX_RULES:
            return Parsed(TOO_LARGE, lines=lines, ignored=invalid, why=f"a group of {len(rules):,} rules "
                          f"(fairuse evaluates at most {MAX_RULES:,})")
        long = next((v for v, _ in rules if len(v) > MAX_PATTERN), None)
        if long is not None:
            return Parsed(TOO_LARGE, lines=lines, ignored=invalid, why=f"a rule of {len(long):,} characters "
                          f"(fairuse evaluates at most {MAX_PATTERN:,})")
    specific = [_policy([(Pattern(v), a) for v, a in rules]) for rules in policies]
    star = _policy([(Pattern(v), a) for v, a in star_rules]) if uses_star else None
    spec_kinds = {p.kind for p in specific}
    if MIXED in spec_kinds or (star is not None and star.kind == MIXED):
        kind = MIXED
    elif DISALLOW_ALL in spec_kinds:
        kind = DISALLOW_AI
    elif star is not None and star.kind == DISALLOW_ALL:
        kind = DISALLOW_OTHER_AI if specific else DISALLOW_ALL
    else:
        kind = ALLOW
    return Parsed(kind, specific, star, usage, lines, invalid, named)


def robots_signals(parsed: Parsed, paths) -> dict:
    """For a MIXED (or Content-Usage) robots.txt: which rows (``paths``, Arrow) each robots signal holds on."""
    n = len(paths)
    spec = np.zeros(n, bool)
    for p in parsed.specific:
        spec |= p.disallowed(paths)
    star = parsed.star.disallowed(paths) if parsed.star is not None else np.zeros(n, bool)
    star &= ~spec
    named = bool(parsed.specific)
    return {"robots_disallow_ai_agent": spec,
            "robots_disallow_other_ai_agents": star if named else np.zeros(n, bool),
            "robots_disallow_all_agents": np.zeros(n, bool) if named else star}


_NOISE = re.compile(r"(?im)^[ \t]*(?:#[^\n]*|(?:sitemap|host)[ \t]*:[^\n]*)?\r?\n?")
_COMMENT = re.compile(r"#[^\n]*")  # no leading [ \t]*: that would backtrack on a long line of spaces


def normalise(text: str) -> str:
    """robots.txt without comments, blank, Sitemap and Host lines: they decide nothing
    for crawling, and many sites differ only in them (one parse per distinct rules)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "#" in text or "itemap" in text or "ost" in text or "ITEMAP" in text or "OST" in text:
        text = _NOISE.sub("", text)
        if "#" in text:
            text = _COMMENT.sub("", text)
    return text


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


# ---------------------------------------------------------------------- tdmrep.json

def parse_tdmrep(text: str) -> list:
    """``/.well-known/tdmrep.json`` -> [(Pattern, reservation 0|1|None)], first match wins.

    Raises ValueError with a reason when the file is not a JSON array of rules,
    is nested too deeply, has too many rules or a location too long.
    """
    from .signals import tdm_reservation

    if len(text) > TDMREP_LIMIT:
        raise ValueError(f"larger than {TDMREP_LIMIT:,} bytes")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(data, list):
        raise ValueError("expected a JSON array of rules")
    if len(data) > TDMREP_RULES:
        raise ValueError(f"{len(data):,} rules (fairuse reads at most {TDMREP_RULES:,})")
    rules = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("location"), str):
            raise ValueError("each rule must be an object with a 'location' string")
        location = item["location"]
        if len(location) > MAX_PATTERN:
            raise ValueError(f"a location of {len(location):,} characters (at most {MAX_PATTERN:,})")
        rules.append((Pattern(location), tdm_reservation(item.get("tdm-reservation"))))
    return rules


def tdmrep_reservation(rules: list, path: str):
    """The reservation of the first rule whose location matches ``path`` (TDMRep: first match wins)."""
    for pattern, reservation in rules:
        if pattern.match(path):
            return reservation
    return None


def tdmrep_reserved(rules: list, paths) -> np.ndarray:
    """Per path of an Arrow string array: does the first matching rule reserve?"""
    n = len(paths)
    if n * len(rules) <= 4096:
        return np.fromiter((tdmrep_reservation(rules, p or "/") == 1 for p in paths.to_pylist()), bool, n)
    decided = np.zeros(n, bool)
    out = np.zeros(n, bool)
    for pattern, reservation in rules:
        hit = pattern.mask(paths).fill_null(False).to_numpy(zero_copy_only=False) & ~decided
        if reservation == 1:
            out |= hit
        decided |= hit
    return out


# ---------------------------------------------------------------------- the book of sites

@dataclass
class Capture:
    """Where a site file was read: its address or file, when it was captured, its SHA-256."""

    status: int
    source: str
    when: str | None = None
    sha256: str | None = None
    key: str | None = None  # robots: the normalised text's key
    rules: list | None = None  # tdmrep: its rules

    def evidence(self) -> str:
        parts = [self.source]
        if self.when:
            parts.append(f"captured {self.when}")
        if self.sha256:
            parts.append(f"sha256 {self.sha256}")
        return ", ".join(parts)


def _better(new: Capture, old: Capture | None, code: int, old_code: int | None) -> bool:
    """Of two captures of one site's file: an answer beats a redirect; otherwise the later one."""
    if old is None:
        return True
    new_redirect, old_redirect = 300 <= code < 400, 300 <= (old_code or 0) < 400
    if new_redirect != old_redirect:
        return old_redirect
    return (new.when or "") >= (old.when or "")


@dataclass
class SiteBook:
    """What is known of each host: its robots.txt and tdmrep.json captures.

    Texts are stored once per distinct (normalised) content; hosts point at them.
    It pickles small (texts, not parsers): parsers are built lazily where used.
    """

    agents: tuple
    robots: dict = field(default_factory=dict)  # host -> Capture
    robots_code: dict = field(default_factory=dict)  # host -> the HTTP status as captured
    robots_texts: dict = field(default_factory=dict)  # key -> text
    tdmrep: dict = field(default_factory=dict)  # host -> Capture (rules parsed)
    problems: list = field(default_factory=list)  # (source, message) reported per source
    _parsed: dict = field(default_factory=dict, repr=False)
    _table: tuple | None = field(default=None, repr=False)
    _evidence: list | None = field(default=None, repr=False)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_parsed"] = {}
        state["_table"] = None
        state["_evidence"] = None
        return state

    def evidence_array(self, which: str = "robots"):
        """Per host of :meth:`table`, where its robots.txt (``which="tdmrep"``: tdmrep.json) was read,
        as an Arrow array, null where it was not (built once per table)."""
        import pyarrow as pa

        hosts = self.table()[1]  # (building the table resets what was kept)
        if not isinstance(self._evidence, dict):
            self._evidence = {}
        if which not in self._evidence:
            captures = self.robots if which == "robots" else self.tdmrep
            self._evidence[which] = pa.array([captures[h].evidence() if h in captures and captures[h].status != REFUSED
                                              else None for h in hosts], pa.string())
        return self._evidence[which]

    def add_robots(self, host: str, status: int | None, text: str | None, source: str,
                   fetched: str | None = None, digest: str | None = None, truncated: bool = False) -> None:
        host = host.lower()
        if status is None:
            status = 200 if text is not None else 0
        if 200 <= status < 300:
            rules = normalise(text or "")
            if not rules.strip() and (text or "").strip() and not _noise_only(text or ""):
                rules = text or ""
            key = text_key(rules)
            self.robots_texts.setdefault(key, rules)
            cap = Capture(FETCHED, source, fetched, digest, key)
        elif 300 <= status < 400:
            cap = Capture(NOT_CHECKED, source, fetched, digest)
        elif 400 <= status < 500:
            cap = Capture(UNAVAILABLE, source, fetched, digest)
        else:
            cap = Capture(UNREACHABLE, source, fetched, digest)
        if not _better(cap, self.robots.get(host), status, self.robots_code.get(host)):
            return
        self._table = None
        self.robots[host] = cap
        self.robots_code[host] = status
        if cap.status == FETCHED:
            if truncated:
                self.problems.append((source, f"robots.txt for {host} is larger than {ROBOTS_LIMIT // 1024} KiB; "
                                              "only its first 500 KiB are read (RFC 9309 s.2.5)"))
            parsed = self.parsed(cap.key)
            if parsed.kind == UNPARSEABLE:
                self.problems.append((source, f"robots.txt for {host} has no parseable rule ({parsed.lines} lines "
                                              "ignored); RFC 9309 s.2.2: nothing is disallowed"))
            elif parsed.kind == TOO_LARGE:
                self.problems.append((source, f"robots.txt for {host} has {parsed.why}; the site counts as not "
                                              "checked"))

    def refuse_robots(self, host: str, source: str, why: str) -> None:
        """A robots.txt that could not be read: the site is not checked, and it is said."""
        self._table = None
        self.robots[host.lower()] = Capture(REFUSED, source)
        self.robots_code[host.lower()] = -1
        self.problems.append((source, f"robots.txt for {host} {why}; the site counts as not checked"))

    def add_tdmrep(self, host: str, status: int, text: str | None, source: str, fetched: str | None = None,
                   digest: str | None = None) -> None:
        host = host.lower()
        self._table = None
        if 200 <= status < 300:
            try:
                rules = parse_tdmrep(text or "")
            except (ValueError, TypeError) as exc:
                self.tdmrep[host] = Capture(REFUSED, source, fetched, digest)
                self.problems.append((source, f"tdmrep.json for {host} cannot be read ({exc}); the site's TDMRep "
                                              "file counts as not checked"))
                return
            self.tdmrep[host] = Capture(FETCHED, source, fetched, digest, rules=rules)
        elif 400 <= status < 500:
            self.tdmrep[host] = Capture(UNAVAILABLE, source, fetched, digest)
        elif status >= 500 or status == 0:
            self.tdmrep[host] = Capture(UNREACHABLE, source, fetched, digest)

    def refuse_tdmrep(self, host: str, source: str, why: str) -> None:
        self._table = None
        self.tdmrep[host.lower()] = Capture(REFUSED, source)
        self.problems.append((source, f"tdmrep.json for {host} {why}; the site's TDMRep file counts as not checked"))

    def parsed(self, key: str) -> Parsed:
        if key not in self._parsed:
            self._parsed[key] = parse_robots(self.robots_texts[key], self.agents)
        return self._parsed[key]

    def table(self):
        """Per known host (sorted), as arrays: robots status, what its rules say, the parsed
        text's index, tdmrep status; and the host -> index map."""
        if self._table is None:
            hosts = sorted(set(self.robots) | set(self.tdmrep))
            status = np.zeros(len(hosts), np.int8)
            kind = np.full(len(hosts), -1, np.int8)
            keys = np.full(len(hosts), -1, np.int32)
            tdm = np.zeros(len(hosts), np.int8)
            key_index: dict = {}
            for i, h in enumerate(hosts):
                cap = self.robots.get(h)
                if cap is not None:
                    status[i] = cap.status
                    if cap.status == FETCHED:
                        parsed = self.parsed(cap.key)
                        if parsed.kind == TOO_LARGE:
                            status[i] = REFUSED
                        else:
                            kind[i] = parsed.kind
                            keys[i] = key_index.setdefault(cap.key, len(key_index))
                t = self.tdmrep.get(h)
                if t is not None:
                    tdm[i] = t.status
            import pyarrow as pa

            self._table = (pa.array(hosts, pa.string()), hosts, status, kind, keys, list(key_index), tdm)
            self._evidence = None
        return self._table

    def __len__(self) -> int:
        return len(set(self.robots) | set(self.tdmrep))


def _noise_only(text: str) -> bool:
    return not normalise(text).strip()
