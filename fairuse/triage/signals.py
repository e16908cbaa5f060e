"""The signal book: ``rules/signals.yaml`` loaded and checked, and the parsers
for the signals that are not robots.txt (licences, TDMRep, X-Robots-Tag,
IETF ``Content-Usage``, terms of use).

Everything a lawyer may change (which fact a signal sets, precedence, the AI
crawler list, the licence table) is in the YAML; this module only reads it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FairuseError, closest
from ..yamlfile import Node, load_file

STATUSES = ("standard", "community", "draft", "convention", "natural_language")
ELEMENTS = ("BY", "SA", "NC", "ND", "CC0", "PDM", "PERMISSIVE", "COPYLEFT", "ARR")
CATEGORIES = ("permissive", "copyleft", "creative_commons", "public_domain", "all_rights_reserved")
SOURCES = ("robots_txt", "tdmrep_json", "headers", "html_meta", "terms")


@dataclass(frozen=True)
class Signal:
    id: str
    label: str
    source: str
    meaning: str
    sets: dict
    legal_effect: str
    authority: tuple
    date: dt.date
    status: str
    enabled: bool = True
    unverified: str = ""
    applies_to: str = ""


@dataclass(frozen=True)
class Licence:
    id: str
    label: str
    elements: frozenset
    when: dict
    sets: dict
    meaning: str
    authority: tuple
    date: dt.date
    unverified: str = ""
    category: str = ""


@dataclass
class SignalBook:
    path: Path
    stated_as_of: dt.date
    ai_user_agents: tuple
    content_usage_categories: dict
    terms_patterns: tuple
    precedence: dict
    signals: dict
    licences: list
    permissive_spdx: frozenset
    copyleft_spdx: frozenset = frozenset()
    reservation_evidence: tuple = ("robots_txt",)
    licence_kinds: dict = field(default_factory=dict)  # exact elements -> the facts the licence itself sets
    _terms_re: re.Pattern | None = field(default=None, repr=False)

    @property
    def terms_re(self) -> re.Pattern:
        if self._terms_re is None:
            self._terms_re = re.compile("|".join(f"(?:{p})" for p in self.terms_patterns), re.I | re.S)
        return self._terms_re

    def enabled(self, signal_id: str) -> bool:
        sig = self.signals.get(signal_id)
        return bool(sig and sig.enabled)

    def rank(self, fact: str, value) -> int:
        """Position of ``value`` in the fact's precedence (lower wins)."""
        order = self.precedence.get(fact, [])
        return order.index(value) if value in order else len(order)


def _req(node, key, where, kind=None):
    if not isinstance(node, dict) or key not in node:
        raise FairuseError(f"{where}: missing '{key}'")
    value = node[key]
    if kind is not None and not isinstance(value, kind):
        raise FairuseError(f"{where}: '{key}' must be a {kind.__name__ if isinstance(kind, type) else 'value of the right type'}")
    return value


def _line(node, key) -> str:
    return f":{node.line_of(key)}" if isinstance(node, Node) and node.line_of(key) else ""


def _date(value, where) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FairuseError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from None


def _check_sets(sets, vocab, where) -> dict:
    if not isinstance(sets, dict):
        raise FairuseError(f"{where}: 'sets' must be a mapping of fact id to value")
    from ..answers import check_value

    return {k: check_value(vocab, k, v, where) for k, v in sets.items()}


def load_signals(path: Path, vocab) -> SignalBook:
    """Load and check ``signals.yaml`` against the fact vocabulary."""
    data = load_file(path)
    name = str(path)
    if not isinstance(data, dict):
        raise FairuseError(f"{name}: expected a mapping with 'signals' and 'licences'")
    signals: dict = {}
    sig_nodes = _req(data, "signals", name, dict)
    for sid, spec in sig_nodes.items():
        where = f"{name}{_line(sig_nodes, sid)}: signal '{sid}'"
        if not isinstance(spec, dict):
            raise FairuseError(f"{where}: expected a mapping")
        status = spec.get("status", "standard")
        if status not in STATUSES:
            raise FairuseError(f"{where}: 'status' must be one of {', '.join(STATUSES)}, got {status!r}{closest(status, STATUSES)}")
        for key in ("label", "meaning", "legal_effect", "authority", "date"):
            _req(spec, key, where)
        signals[str(sid)] = Signal(
            str(sid), str(spec["label"]), str(spec.get("source", "")), str(spec["meaning"]).strip(),
            _check_sets(spec.get("sets") or {}, vocab, where), str(spec["legal_effect"]).strip(),
            tuple(str(a) for a in spec["authority"]), _date(spec["date"], where), status,
            bool(spec.get("enabled", True)), str(spec.get("unverified", "")).strip(), str(spec.get("applies_to", "")))
    licences = []
    lic_nodes = data.get("licences") or []
    for i, spec in enumerate(lic_nodes):
        where = f"{name}: licence {i + 1}"
        lid = _req(spec, "id", where)
        where = f"{name}: licence '{lid}'"
        elements = _req(spec, "elements", where, list)
        for el in elements:
            if el not in ELEMENTS:
                raise FairuseError(f"{where}: unknown element {el!r}; expected one of {', '.join(ELEMENTS)}{closest(el, ELEMENTS)}")
        category = str(spec.get("category", ""))
        if category and category not in CATEGORIES:
            raise FairuseError(f"{where}: 'category' must be one of {', '.join(CATEGORIES)}, got {category!r}"
                               f"{closest(category, CATEGORIES)}")
        when = spec.get("when") or {}
        for fact in when:
            vocab.require(fact, where)
        licences.append(Licence(str(lid), str(spec.get("label", lid)), frozenset(elements),
                                {k: list(v) for k, v in when.items()}, _check_sets(spec.get("sets") or {}, vocab, where),
                                str(spec.get("meaning", "")).strip(), tuple(str(a) for a in spec.get("authority") or ()),
                                _date(_req(spec, "date", where), where), str(spec.get("unverified", "")).strip(),
                                category))
    kinds: dict = {}
    for i, spec in enumerate(data.get("licence_kinds") or []):
        where = f"{name}: licence_kinds entry {i + 1}"
        elements = _req(spec, "elements", where, list)
        for el in elements:
            if el not in ELEMENTS:
                raise FairuseError(f"{where}: unknown element {el!r}; expected one of {', '.join(ELEMENTS)}{closest(el, ELEMENTS)}")
        key = frozenset(elements)
        if key in kinds:
            raise FairuseError(f"{where}: elements {sorted(key)} are listed twice")
        kinds[key] = _check_sets(_req(spec, "sets", where, dict), vocab, where)
    precedence = {}
    for fact, order in (data.get("precedence") or {}).items():
        vocab.require(fact, f"{name}: precedence")
        precedence[str(fact)] = list(order)
    agents = tuple(str(a) for a in _req(data, "ai_user_agents", name, list))
    if not agents:
        raise FairuseError(f"{name}: 'ai_user_agents' lists no user agent")
    patterns = tuple(str(p) for p in data.get("terms_patterns") or ())
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise FairuseError(f"{name}: terms pattern {p!r} is not a regular expression ({exc})") from None
    evidence = data.get("reservation_evidence", ["robots_txt"])
    if not isinstance(evidence, list):
        raise FairuseError(f"{name}: 'reservation_evidence' must be a list of {', '.join(SOURCES)}")
    for src in evidence:
        if src not in SOURCES:
            raise FairuseError(f"{name}: reservation_evidence: unknown source {src!r}; expected one of "
                               f"{', '.join(SOURCES)}{closest(str(src), SOURCES)}")
    return SignalBook(path, _date(data.get("stated_as_of", "2026-11-25"), name), agents,
                      {str(k): list(v) for k, v in (data.get("content_usage_categories") or {}).items()},
                      patterns, precedence, signals, licences,
                      frozenset(str(s).lower() for s in data.get("permissive_spdx") or ()),
                      frozenset(str(s).lower() for s in data.get("copyleft_spdx") or ()), tuple(evidence), kinds)


# ---------------------------------------------------------------------- licences

_CC_URL = re.compile(r"creativecommons\.org/(licenses|publicdomain)/([a-z0-9-]+)", re.I)


_ARR = re.compile(r"^\s*(?:©|\(c\)|copyright\b)?.{0,80}?\ball rights reserved\b\.?\s*$", re.I | re.S)


def licence_elements(text, permissive: frozenset, copyleft: frozenset = frozenset()) -> frozenset | None:
    """Creative Commons URL or SPDX id -> its elements; None when unrecognised."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    m = _CC_URL.search(s)
    if m:
        kind, code = m.group(1).lower(), m.group(2).lower()
        if kind == "publicdomain":
            return frozenset({"CC0"}) if code == "zero" else frozenset({"PDM"}) if code == "mark" else None
        parts = code.split("-")
        els = {p.upper() for p in parts if p.upper() in ("BY", "SA", "NC", "ND")}
        return frozenset(els) if "BY" in els else None
    low = s.lower()
    if low in permissive:
        return frozenset({"PERMISSIVE"})
    if low in copyleft:
        return frozenset({"COPYLEFT"})
    if len(s) <= 200 and _ARR.match(s):
        return frozenset({"ARR"})
    spdx = re.fullmatch(r"cc-?(by(?:-(?:nc|nd|sa))*)(?:-[0-9.]+)?(?:-[a-z]+)?", low)
    if spdx:
        return frozenset(p.upper() for p in spdx.group(1).split("-"))
    if re.fullmatch(r"cc0(-1\.0)?", low):
        return frozenset({"CC0"})
    if low in ("pdm", "public-domain-mark", "publicdomain"):
        return frozenset({"PDM"})
    return None


def licence_kind(book: SignalBook, elements: frozenset | None) -> dict:
    """The facts the licence itself sets (``licence_kinds``: the entry whose elements are exactly these)."""
    return book.licence_kinds.get(elements, {}) if elements else {}


def licence_rule(book: SignalBook, elements: frozenset | None, answers: dict) -> Licence | None:
    """The first licence entry that decides for ``elements`` under the corpus answers."""
    if not elements:
        return None
    for lic in book.licences:
        if not lic.elements <= elements:
            continue
        if lic.when and not all(answers.get(f) in vals for f, vals in lic.when.items()):
            continue
        return lic
    return None


# ---------------------------------------------------------------------- headers and meta

def robots_directives(value, agents=None) -> set:
    """``X-Robots-Tag`` / robots meta content -> lower-case directives (``noai``, ...).

    A header may address a crawler first (``GPTBot: noai``); its directives then
    count only when that crawler is one of ``agents`` (the AI crawlers of
    signals.yaml, lower-case). Directives with no crawler named count for all.
    """
    if value is None:
        return set()
    out = set()
    current = None
    for part in re.split(r"[,;]", str(value).lower()):
        part = part.strip()
        if ":" in part:
            name, _, part = part.partition(":")
            current, part = name.strip(), part.strip()
        if part and (current is None or agents is None or current in agents):
            out.add(part)
    return out


def tdm_reservation(value) -> int | None:
    """A ``tdm-reservation`` header or meta value: 1, 0, or None (unset or a protocol error)."""
    if value is None:
        return None
    s = str(value).strip()
    return int(s) if s in ("0", "1") else None


_SF_ITEM = re.compile(r"^\s*([a-z*][a-z0-9_.*-]*)\s*(?:=\s*([^;,\s]+))?")


def content_usage(value) -> dict:
    """An IETF ``Content-Usage`` value (Structured Fields dictionary) -> {category: 'y'|'n'}.

    Per draft-ietf-aipref-vocab: keys are case-sensitive; only the tokens y and n
    count; a repeated key takes its last value; parameters are ignored.
    """
    prefs: dict = {}
    if value is None:
        return prefs
    for member in str(value).split(","):
        m = _SF_ITEM.match(member)
        if not m:
            continue
        key, val = m.group(1), m.group(2)
        prefs[key] = val if val in ("y", "n") else None
    return {k: v for k, v in prefs.items() if v}


def usage_reserved(prefs: dict, categories: list) -> bool:
    return any(prefs.get(c) == "n" for c in categories)


def terms_reserve(book: SignalBook, text) -> bool:
    return text is not None and bool(str(text).strip()) and bool(book.terms_re.search(str(text)))


# ---------------------------------------------------------------------- TDMRep file
# parse_tdmrep and tdmrep_reservation live in fairuse.triage.robots, with the other site files
