"""Loading rulesets: YAML rule files checked against a schema and the vocabulary.

A ruleset directory holds::

    ruleset.yaml         version and the date the law is stated as of
    facts.yaml           the fact vocabulary
    authorities.yaml     every statute, case and report a rule may cite
    questions.yaml       (used by the questionnaire)
    <jurisdiction>/weighing.yaml   how findings become a verdict there
    <jurisdiction>/*.yaml          rule files

Every problem is a one-line :class:`~fairuse.errors.FairuseError` naming the
file, the line and (where there is one) the rule id.
"""

from __future__ import annotations

import datetime as dt
import os
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import conditions as cond
from .errors import FairuseError, closest, shown
from .paths import data_dir
from .vocabulary import Vocabulary, load_vocabulary
from .yamlfile import Node, load_file

RULE_ID = r"^[a-z]{2}(\.[a-z0-9][a-z0-9_-]*)+$"
JURISDICTIONS = ("us", "uk", "eu", "jp", "cn", "sg")
FACTORS = ("purpose", "nature", "amount", "market")
LEANINGS = ("user", "owner", "neutral")
NOT_NEEDED = "not_needed"
FOREVER = dt.date.max


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Conclusion(_Strict):
    """What a rule concludes when its condition holds (``then:``)."""

    finding: dict[str, str | bool] = Field(default_factory=dict, description="Intermediate findings: {finding: value}.")
    factor: Optional[Literal["purpose", "nature", "amount", "market"]] = Field(None, description="The fair-use factor this rule weighs in (defaults to the file's factor).")
    leans: Optional[Literal["user", "owner", "neutral"]] = Field(None, description="Which way this consideration leans the factor.")
    weight: Optional[int] = Field(None, ge=1, le=3, description="How much: 1 slight, 2 clear, 3 strong.")
    verdict: Optional[Literal["not_needed", "uncertain"]] = Field(None, description="not_needed: no exception is needed (public domain, licensed); uncertain: fair use - the verdict can be no better than uncertain; exceptions - where no provision applies, the answer is uncertain rather than does_not_apply.")
    provision: Optional[str | list[str]] = Field(None, description="The statutory exception(s) (declared in weighing.yaml) this rule speaks to.")
    condition: Optional[str] = Field(None, description="The provision's condition this rule decides.")
    met: Optional[bool] = Field(None, description="Whether that condition is met.")
    duty: Optional[str] = Field(None, description="An obligation reported beside the verdict (e.g. AI Act Art 53).")
    note: Optional[str] = Field(None, description="A caveat reported with the verdict.")
    mitigation: Optional[str] = Field(None, description="What the user can do to lower the risk.")

    @property
    def provisions(self) -> tuple[str, ...]:
        if self.provision is None:
            return ()
        return (self.provision,) if isinstance(self.provision, str) else tuple(self.provision)


class RuleModel(_Strict):
    """One rule (one dated version of it) as written in YAML."""

    id: str = Field(pattern=RULE_ID, description="Follows the provision: jurisdiction.provision.point, e.g. us.107.1.non-expressive.")
    title: str = Field(min_length=3)
    text: str = Field(min_length=3, description="The provision's words, or a faithful paraphrase of the holding.")
    when: dict = Field(description="The condition: all/any/not over fact and finding tests.")
    then: Conclusion
    explanation: str = Field(min_length=10, description="Why the conclusion follows, in plain words; shown as the reason.")
    authority: list[str] = Field(min_length=1, description="Keys of authorities.yaml, each optionally '@ pinpoint'.")
    effective_from: dt.date
    effective_until: Optional[dt.date] = None
    unsettled: Optional[str] = Field(None, description="Why the point is not settled law; lowers confidence.")
    unverified: Optional[str] = Field(None, description="Why the point could not be checked against a primary source; every reason resting on it says so.")
    split: Optional[str] = Field(None, description=(
        "Where courts divide on the point this rule decides: who held what. Said in the Brief Answer of every "
        "answer that rests on it, and, like unsettled law, keeps that answer from being 'likely'."))
    source_kind: Optional[Literal["decision", "statute", "regulation", "guidance"]] = Field(
        None, description="What the rule is made from. A statute or regulation applies to conduct from its commencement "
                          "(conduct_date); a decision or guidance applies once issued, whatever the conduct date (the "
                          "assessment date). Absent: derived from the authorities cited.")
    tags: list[str] = Field(default_factory=list, description="Labels the weighing uses (e.g. commerciality).")
    draft: Optional[bool] = Field(None, description="true: not loaded yet (a skeleton from 'fairuse rules new').")
    exception_to: list[str] = Field(default_factory=list, description="Ids of rules this rule overrides when both fire (default logic, as in Catala).")
    status: Optional[Literal["unverified"]] = Field(None, description="unverified: the authority could not be checked against a primary source; flagged in the result.")
    application: Optional[str] = Field(None, description=(
        "How the rule bears on these facts, for the memo: a Jinja2 template over the facts in plain words "
        "({{ facts.purpose }}: the answer's words; {{ said.purpose }}: the answer as a clause)."))

    @field_validator("effective_from", "effective_until", mode="before")
    @classmethod
    def _date(cls, value):
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError("expected a date YYYY-MM-DD") from None
        return value


class FindingModel(_Strict):
    values: list[str | bool] = Field(min_length=1)
    meaning: str = ""
    stated_by: Optional[str] = Field(None, description="A fact that lets a user state this conclusion directly (an override); rules infer it from primary facts otherwise.")


class RuleFileModel(_Strict):
    jurisdiction: Literal["us", "uk", "eu", "jp", "cn", "sg"]
    title: str = ""
    factor: Optional[Literal["purpose", "nature", "amount", "market"]] = None
    findings: dict[str, FindingModel] = Field(default_factory=dict)
    rules: list[dict] = Field(default_factory=list)


@dataclass(frozen=True)
class Authority:
    key: str
    cite: str
    kind: str  # statute | case | regulation | guidance | report | licence (the terms an owner offers)
    jurisdiction: str
    short: str = ""
    url: str = ""
    date: dt.date | None = None  # decided, enacted (in force) or published; later than --as-of: not cited
    status: str = ""  # e.g. "appeal pending": for matters not yet final
    status_as_of: dt.date | None = None
    status_source: str = ""
    limit: str = ""  # a limit the court put on its own holding, said wherever it is cited

    def known_on(self, on: dt.date | None) -> bool:
        return on is None or self.date is None or self.date <= on

    @property
    def is_decision(self) -> bool:
        return self.kind == "case"

    def cited(self, pinpoint: str | None = None) -> str:
        if not pinpoint:
            return self.cite
        if self.kind in ("statute", "regulation"):
            return f"{self.cite}{pinpoint}" if pinpoint.startswith("(") else f"{self.cite}, {pinpoint}"
        return f"{self.cite}, at {pinpoint}"


@dataclass(frozen=True)
class Citation:
    authority: Authority
    pinpoint: str | None = None

    def __str__(self) -> str:
        return self.authority.cited(self.pinpoint)


@dataclass
class Rule:
    id: str
    jurisdiction: str
    title: str
    text: str
    when: cond.Condition
    when_raw: dict
    then: Conclusion
    factor: str | None
    explanation: str
    authority: tuple[Citation, ...]
    effective_from: dt.date
    effective_until: dt.date | None
    unsettled: str | None
    tags: tuple[str, ...]
    file: Path
    line: int
    exception_to: tuple[str, ...] = ()
    status: str | None = None
    application: str | None = None  # the memo's "here is how this rule bears on these facts" (Jinja2)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on <= (self.effective_until or FOREVER)

    @cached_property
    def facts_used(self) -> set[str]:
        return cond.names(self.when, "fact")

    @cached_property
    def findings_used(self) -> set[str]:
        return cond.names(self.when, "finding")

    unverified: str | None = None
    source_kind: str = "statute"
    split: str | None = None  # where courts divide on this rule's point (said in the Brief Answer)

    def cites(self, on: dt.date | None = None) -> list[str]:
        """The citations, leaving out authorities decided or issued after ``on``.

        A matter not yet final says so, with the date its status was checked, once
        that date is known on ``on``.
        """
        out = []
        for c in self.authority:
            auth = c.authority
            if not auth.known_on(on):
                continue
            text = str(c)
            if auth.status and auth.status_as_of and (on is None or auth.status_as_of <= on):
                text += f" [{auth.status}; status as of {auth.status_as_of.isoformat()}]"
            out.append(text)
        return out

    @property
    def by_conduct(self) -> bool:
        """Statutes and regulations apply by the conduct date; decisions and guidance by the assessment date."""
        return self.source_kind in ("statute", "regulation")

    def applies(self, as_of: dt.date, conduct: dt.date | None = None) -> bool:
        """In force for conduct on ``conduct`` with the law stated as of ``as_of``."""
        if self.effective_from > as_of:
            return False  # not yet known on the date the law is stated
        if self.by_conduct and conduct is not None:
            return self.in_force(conduct)
        return self.in_force(as_of)


@dataclass
class Provision:
    id: str
    title: str
    conditions: dict[str, str]
    authority: tuple[Citation, ...]
    effective_from: dt.date
    effective_until: dt.date | None = None
    note: str = ""

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on <= (self.effective_until or FOREVER)

    def applies(self, as_of: dt.date, conduct: dt.date | None = None) -> bool:
        """A statutory provision: known on ``as_of`` and in force for conduct on ``conduct``."""
        return self.effective_from <= as_of and self.in_force(conduct or as_of)


@dataclass
class Jurisdiction:
    code: str
    name: str
    kind: str  # fair_use | exceptions
    weighing: dict
    provisions: dict[str, Provision] = field(default_factory=dict)
    file: Path | None = None


@dataclass
class RuleBase:
    """Everything loaded from one ruleset directory."""

    root: Path
    version: str
    stated_as_of: dt.date
    vocabulary: Vocabulary
    authorities: dict[str, Authority]
    findings: dict[str, tuple]
    rules: list[Rule]
    jurisdictions: dict[str, Jurisdiction]
    drafts: list = field(default_factory=list)  # (file, line, id) of rules marked draft: true
    stated_by: dict = field(default_factory=dict)  # finding -> the fact that states it directly (an override)

    @property
    def conclusory_facts(self) -> tuple[str, ...]:
        """Facts that state a conclusion the rules can also infer from primary facts."""
        return tuple(sorted(set(self.stated_by.values())))

    def active(self, jurisdiction: str, on: dt.date, conduct: dt.date | None = None) -> list[Rule]:
        """The rules that apply: decisions known on ``on``, statutes in force for conduct on ``conduct``."""
        return [r for r in self.rules if r.jurisdiction == jurisdiction and r.applies(on, conduct)]

    def first_encoded(self, jurisdiction: str) -> dt.date | None:
        """The earliest date from which any rule or provision of ``jurisdiction`` is encoded."""
        dates = [r.effective_from for r in self.rules if r.jurisdiction == jurisdiction]
        jur = self.jurisdictions.get(jurisdiction)
        if jur:
            dates += [p.effective_from for p in jur.provisions.values()]
        return min(dates) if dates else None

    def by_id(self, rule_id: str) -> list[Rule]:
        return [r for r in self.rules if r.id == rule_id]


# --------------------------------------------------------------------------- loading


def default_rules_dir() -> Path:
    env = os.environ.get("FAIRUSE_RULES")
    return Path(env) if env else data_dir("rules")


def validation_error(exc: ValidationError, node, path: Path, rule_id: str | None = None,
                     known_keys=None) -> FairuseError:
    """A pydantic error as one line: file:line: [rule-id:] 'key': what was expected.

    ``known_keys(loc)`` lists the keys allowed where an unknown key was found
    (for the "did you mean" hint); by default, those of rule files.
    """
    known_keys = known_keys or _known_keys
    errors = exc.errors()
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = list(err["loc"])
    line = None
    target = node
    for part in loc:
        if isinstance(target, Node) and part in target:
            line = target.line_of(part)
            target = target[part]
        elif isinstance(target, list) and isinstance(part, int) and part < len(target):
            target = target[part]
            line = getattr(target, "line", line)
        else:
            break
    if line is None:
        line = getattr(node, "line", None)
    key = ".".join(str(p) for p in loc)
    msg = err["msg"]
    if err["type"] in ("float_type", "int_type", "bool_type") and isinstance(err.get("input"), str):
        msg += f", got the text {err['input'][:40]!r} (write it without quotes)"
    if err["type"] == "extra_forbidden":
        msg = "unknown key" + closest(str(loc[-1]), known_keys(loc))
    elif err["type"] == "missing":
        msg = "required key is missing"
    prefix = f"{path}:{line}" if line else f"{path}"
    rid = f" {rule_id}:" if rule_id else ""
    return FairuseError(f"{prefix}:{rid} '{key}': {msg}")


def _known_keys(loc) -> list[str]:
    if len(loc) >= 2 and loc[-2] == "then":
        return list(Conclusion.model_fields)
    return list(RuleModel.model_fields) + list(RuleFileModel.model_fields)


def _load_authorities(path: Path) -> dict[str, Authority]:
    data = load_file(path, cached=True)
    if not isinstance(data, Node) or not isinstance(data.get("authorities"), dict):
        raise FairuseError(f"{path}: expected a mapping with an 'authorities' mapping")
    out = {}
    table = data["authorities"]
    for key, spec in table.items():
        line = table.line_of(key)
        if not isinstance(spec, dict) or not spec.get("cite") or spec.get("kind") not in (
            "statute", "case", "regulation", "guidance", "report", "licence"):
            raise FairuseError(
                f"{path}:{line}: authority '{key}': needs 'cite' and 'kind' (statute, case, regulation, guidance, report or licence)")
        unknown = set(spec) - {"cite", "kind", "jurisdiction", "short", "url", "note", "date", "status",
                               "status_as_of", "status_source", "limit"}
        if unknown:
            raise FairuseError(f"{path}:{line}: authority '{key}': unknown key {sorted(unknown)[0]!r}")
        dates = {}
        for name in ("date", "status_as_of"):
            if spec.get(name) is not None:
                try:
                    dates[name] = _as_date(spec[name])
                except ValueError:
                    raise FairuseError(f"{path}:{line}: authority '{key}': '{name}' must be a date YYYY-MM-DD") from None
        for name in ("cite", "jurisdiction", "short", "url", "note", "status", "status_source", "limit"):
            if spec.get(name) is not None and not isinstance(spec[name], str):
                at = spec.line_of(name) if isinstance(spec, Node) else line
                raise FairuseError(f"{path}:{at}: authority '{key}': '{name}': expected text, got {shown(spec[name])}")
        if spec.get("status") and not (spec.get("status_as_of") and spec.get("status_source")):
            raise FairuseError(f"{path}:{line}: authority '{key}': a 'status' needs 'status_as_of' and 'status_source'")
        out[str(key)] = Authority(str(key), str(spec["cite"]), spec["kind"], str(spec.get("jurisdiction", "")),
                                  str(spec.get("short", "")), str(spec.get("url", "")), dates.get("date"),
                                  str(spec.get("status", "")), dates.get("status_as_of"),
                                  str(spec.get("status_source", "")), " ".join(str(spec.get("limit", "")).split()))
    return out


def parse_citation(text: str, authorities: dict[str, Authority], where: str) -> Citation:
    if not isinstance(text, str) or not text.strip():
        raise FairuseError(f"{where}: an authority must be a key of authorities.yaml, optionally '@ pinpoint'")
    key, _, pin = text.partition("@")
    key = key.strip()
    if key not in authorities:
        raise FairuseError(f"{where}: unknown authority '{key}'{closest(key, authorities)}; add it to authorities.yaml")
    pin = pin.strip() or None
    return Citation(authorities[key], pin)


def _load_weighing(path: Path, authorities, vocabulary) -> Jurisdiction:
    data = load_file(path, cached=True)
    if not isinstance(data, Node):
        raise FairuseError(f"{path}: expected a mapping")
    code = data.get("jurisdiction")
    if code not in JURISDICTIONS:
        raise FairuseError(f"{path}:{data.line_of('jurisdiction')}: 'jurisdiction' must be one of {', '.join(JURISDICTIONS)}")
    kind = data.get("kind")
    if kind not in ("fair_use", "exceptions"):
        raise FairuseError(f"{path}:{data.line_of('kind')}: 'kind' must be fair_use or exceptions")
    model = FairUseWeighing if kind == "fair_use" else ExceptionsWeighing
    if kind == "fair_use":
        for key in ("factor_weights", "bands", "leaning_threshold"):
            if key not in data:
                raise FairuseError(f"{path}: fair-use weighing needs '{key}'")
    provisions: dict[str, Provision] = {}
    table = data.get("provisions") or {}
    if not isinstance(table, dict):
        raise FairuseError(f"{path}:{data.line_of('provisions')}: 'provisions': expected a mapping of provision id "
                           f"to its title, conditions and authority")
    for pid, spec in table.items():
        line = data["provisions"].line_of(pid)
        where = f"{path}:{line}: provision {pid}"
        if not isinstance(spec, dict) or not spec.get("title") or not isinstance(spec.get("conditions"), dict):
            raise FairuseError(f"{where}: needs 'title' and a 'conditions' mapping")
        if not spec["conditions"]:
            raise FairuseError(f"{where}: 'conditions' is empty; a provision with no conditions would always apply")
        if not spec.get("authority"):
            raise FairuseError(f"{where}: needs at least one 'authority'")
    try:  # every key's type, strictly (a quoted number is not a number), before anything uses it
        model.model_validate(dict(data))
    except ValidationError as exc:
        raise validation_error(exc, data, path, known_keys=lambda loc: _weighing_keys(model, loc)) from None
    for pid, spec in table.items():
        where = f"{path}:{data['provisions'].line_of(pid)}: provision {pid}"
        try:
            start = _as_date(spec.get("effective_from"))
            end = _as_date(spec.get("effective_until")) if spec.get("effective_until") else None
        except ValueError:
            raise FairuseError(f"{where}: effective dates must be YYYY-MM-DD") from None
        provisions[pid] = Provision(
            pid, spec["title"], dict(spec["conditions"]),
            tuple(parse_citation(a, authorities, where) for a in spec["authority"]),
            start, end, spec.get("note") or "")
    for holder, where in [(data, f"{path}")] + [(data["provisions"][pid], f"{path}: provision {pid}")
                                                for pid in (data.get("provisions") or {})]:
        _check_assumptions(holder, where, vocabulary)
    return Jurisdiction(code, data.get("name") or code.upper(), kind, dict(data), provisions, path)


def _weighing_keys(model, loc) -> list[str]:
    """The keys allowed where an unknown key was found in a weighing.yaml (for "did you mean")."""
    fields = model.model_fields
    for part in loc[:-1]:
        info = fields.get(part) if isinstance(part, str) else None
        inner = getattr(info, "annotation", None) if info else None
        for candidate in (inner, *getattr(inner, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                fields = candidate.model_fields
                break
            for arg in getattr(candidate, "__args__", ()):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    fields = arg.model_fields
                    break
    return list(fields)


class _WeighingFile(BaseModel):
    """What every weighing.yaml may hold; each kind adds its own keys. Strict: a quoted number is no number."""

    model_config = ConfigDict(extra="forbid", strict=True)

    jurisdiction: Literal["us", "uk", "eu", "jp", "cn", "sg"]
    kind: Literal["fair_use", "exceptions"]
    name: str = Field("", description="The jurisdiction's name, as shown.")
    authority: list[str] = Field(default_factory=list)
    assumptions: list[dict] = Field(default_factory=list, description="{fact, assume, reason}, checked against the vocabulary.")


class _ProvisionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: str = Field(min_length=1)
    conditions: dict[str, str] = Field(min_length=1, description="Each condition's name and the statute's words.")
    authority: list[str] = Field(min_length=1)
    effective_from: dt.date
    effective_until: Optional[dt.date] = None
    note: str = ""
    assumptions: list[dict] = Field(default_factory=list)

    @field_validator("effective_from", "effective_until", mode="before")
    @classmethod
    def _date(cls, value):
        return RuleModel._date(value)


class ExceptionsWeighing(_WeighingFile):
    """An exceptions jurisdiction's weighing.yaml: its provisions."""

    provisions: dict[str, _ProvisionModel] = Field(default_factory=dict)


class _Modifier(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1)
    when: dict = Field(min_length=1, description="The findings under which it applies.")
    unless: Optional[dict] = Field(None, min_length=1)
    scale_tags: dict[str, Annotated[float, Field(ge=0, le=10)]] = Field(default_factory=dict)
    scale_factors: dict[str, Annotated[float, Field(ge=0, le=10)]] = Field(default_factory=dict)
    explanation: str = ""
    authority: list[str] = Field(default_factory=list)


class _Uncertainty(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    unsettled_weight: int = Field(2, ge=0, le=100)
    missing_moves: int = Field(1, ge=0, le=4)
    reverse_share: float = Field(0.0, ge=0, le=1)
    bare_factors: list[Literal["purpose", "nature", "amount", "market"]] = Field(
        default_factory=list, description="Factors that, resting on nothing known, leave a reversible answer uncertain.")


class _Precedent(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    must_share: list[str] = Field(default_factory=list, description="Facts a precedent must share to be on point.")
    on_point: float = Field(0.6, ge=0, le=1, description="The least similarity for a precedent to count.")
    top: int = Field(3, ge=1, le=100, description="How many on-point decided cases take part.")
    decide_share: float = Field(0.5, ge=0, le=1)
    a_fortiori_needs: list[Literal["purpose", "nature", "amount", "market"]] = Field(
        default_factory=list, description="Factors a court must have stated for its decision to support a fortiori.")
    decide_by: list[Literal["a_fortiori", "weighed"]] = Field(
        default_factory=lambda: ["a_fortiori", "weighed"], description="How the on-point precedents may reach a side.")
    may_decide: list[Literal["score_in_band"]] = Field(default_factory=list)
    may_support: list[Literal["reversing_unknown"]] = Field(default_factory=list)
    authority: list[str] = Field(default_factory=list)


class FairUseWeighing(_WeighingFile):
    """The numbers of a fair-use weighing.yaml, with sane ranges (a wrong one is one line, not a traceback)."""

    factor_weights: dict[Literal["purpose", "nature", "amount", "market"], Annotated[float, Field(ge=0, le=100)]]
    damping: float = Field(1.0, gt=0, le=100)
    leaning_threshold: float = Field(ge=0, le=1)
    bands: dict[Literal["likely_fair", "leaning_fair", "leaning_unfair", "likely_unfair"], Annotated[float, Field(ge=-1, le=1)]]
    exclusive_tags: list[str] = Field(default_factory=list)
    modifiers: list[_Modifier] = Field(default_factory=list)
    uncertainty: _Uncertainty = Field(default_factory=_Uncertainty)
    precedent: _Precedent = Field(default_factory=_Precedent)
    provisions: dict[str, _ProvisionModel] = Field(default_factory=dict)
    fitted: Optional[dict] = Field(None, description="Provenance of fitted weights and bands (fairuse casebook fit).")

    @field_validator("factor_weights")
    @classmethod
    def _all_factors(cls, value):
        missing = [f for f in FACTORS if f not in value]
        if missing:
            raise ValueError(f"lacks {', '.join(missing)}")
        if not sum(value.values()) > 0:
            raise ValueError("at least one factor must weigh more than 0")
        return value

    @field_validator("bands")
    @classmethod
    def _ordered(cls, value):
        order = ["likely_fair", "leaning_fair", "leaning_unfair", "likely_unfair"]
        missing = [b for b in order if b not in value]
        if missing:
            raise ValueError(f"lacks {', '.join(missing)}")
        numbers = [value[b] for b in order]
        if not all(a > b for a, b in zip(numbers, numbers[1:])):
            raise ValueError("must fall strictly: likely_fair > leaning_fair > leaning_unfair > likely_unfair")
        return value


def _check_modifiers(jurisdictions: dict, domains, problems: list | None = None) -> None:
    """Each weighing modifier's ``when`` and ``unless`` parsed once the findings are known: an error names
    the weighing.yaml, the line and the modifier, never just "weighing.yaml"."""
    for jur in jurisdictions.values():
        for mod in jur.weighing.get("modifiers") or []:
            for key in ("when", "unless"):
                if mod.get(key) is None:
                    continue
                line = mod.line_of(key) if isinstance(mod, Node) else None

                def where(ln=None, key=key, line=line, mod=mod):
                    return f"{jur.file}:{ln or line}: modifier {mod['id']}: '{key}'"
                try:
                    cond.parse(mod[key], domains, where)
                except FairuseError as exc:
                    if problems is None:
                        raise
                    problems.append(str(exc))


def _check_assumptions(holder, where: str, vocabulary) -> None:
    """``assumptions:`` lists {fact, assume, reason}: a declared fact and one of its values."""
    specs = holder.get("assumptions") if isinstance(holder, dict) else None
    if specs is None:
        return
    line = holder.line_of("assumptions") if hasattr(holder, "line_of") else None
    at = f"{where}:{line}" if line and ":" not in where else where
    if not isinstance(specs, list):
        raise FairuseError(f"{at}: 'assumptions' must be a list of {{fact, assume, reason}}")
    for spec in specs:
        if not isinstance(spec, dict) or not {"fact", "assume", "reason"} <= set(spec) <= {"fact", "assume", "reason",
                                                                                              "when"}:
            raise FairuseError(f"{at}: each assumption needs exactly 'fact', 'assume' and 'reason' (and may have 'when')")
        if "when" in spec:
            _check_assumption_when(spec["when"], at, vocabulary)
        fact = spec["fact"]
        if fact not in vocabulary:
            raise FairuseError(f"{at}: assumption names unknown fact '{fact}'{closest(str(fact), vocabulary.facts)}")
        domain = vocabulary[fact].domain
        if spec["assume"] not in domain or isinstance(spec["assume"], bool) != isinstance(domain[0], bool):
            raise FairuseError(f"{at}: assumption for '{fact}': {spec['assume']!r} is not one of its values {list(domain)}")


def _check_assumption_when(when, at: str, vocabulary) -> None:
    """An assumption's ``when``: ``{fact: X, in: [...]}`` or ``{fact: X, is: v}``, or ``all:`` a list of them."""
    leaves = when.get("all") if isinstance(when, dict) and set(when) == {"all"} else [when]
    if not isinstance(leaves, list) or not leaves:
        raise FairuseError(f"{at}: an assumption's 'when' must be {{fact, in}} or {{fact, is}}, or 'all' of them")
    for leaf in leaves:
        if not isinstance(leaf, dict) or "fact" not in leaf or len(set(leaf) & {"in", "is"}) != 1 or len(leaf) != 2:
            raise FairuseError(f"{at}: an assumption's 'when' must be {{fact, in}} or {{fact, is}}, or 'all' of them")
        fact = leaf["fact"]
        if not isinstance(fact, str) or fact not in vocabulary:
            raise FairuseError(f"{at}: an assumption's 'when' names unknown fact '{fact}'"
                               f"{closest(str(fact), vocabulary.facts)}")
        values = leaf["in"] if "in" in leaf else [leaf["is"]]
        if not isinstance(values, list) or any(isinstance(v, (dict, list)) or v not in vocabulary[fact].domain
                                               for v in values):
            raise FairuseError(f"{at}: an assumption's 'when' for '{fact}': expected values among "
                               f"{list(vocabulary[fact].domain)}")


def _as_date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def facts_per_factor(base, on) -> dict[str, set]:
    """The facts each US factor turns on: those its rules read, and those read by the rules that conclude the
    findings its rules read (the purpose relation inferred from the work's role, say), transitively."""
    rules = base.active("us", on)
    producers: dict[str, list] = {}
    for rule in rules:
        for finding in rule.then.finding:
            producers.setdefault(finding, []).append(rule)
    out: dict[str, set] = {}
    for factor in dict.fromkeys(r.factor for r in rules if r.factor):  # one walk a factor: linear in the rules
        facts = out.setdefault(factor, set())
        todo, seen, followed = [r for r in rules if r.factor == factor], set(), set()
        while todo:
            r = todo.pop()
            if r.id in seen:
                continue
            seen.add(r.id)
            facts.update(f for f in r.facts_used if f in base.vocabulary.facts)
            for finding in r.findings_used - followed:
                followed.add(finding)
                todo.extend(producers.get(finding, []))
    return out


def load_rulebase(root: Path | str | None = None) -> RuleBase:
    """Load and check a whole ruleset directory (cached per directory and state of its files, bounded)."""
    root = Path(root) if root else default_rules_dir()
    key = _cache_key(root)
    if key in _CACHE:
        _CACHE[key] = _CACHE.pop(key)  # the most recently used, last
        return _CACHE[key]
    base = _load(root)
    _CACHE[key] = base
    while len(_CACHE) > MAX_RULESETS:  # rules edited and reloaded in one process: the oldest go
        del _CACHE[next(iter(_CACHE))]
    from .yamlcache import flush

    flush()  # the parsed files, for the next process
    return base


MAX_RULESETS = 8  # loaded rulesets kept in one process (each edit of a rule file is a new one)
_CACHE: dict = {}

# What the caches of other modules hold for a ruleset (its engines, its dates, its casebook)
# is dropped when the ruleset is freed, so they never keep an old ruleset alive: a process
# that edits and reloads its rules a thousand times holds the last few, not all of them.
_FORGET: list = []  # functions(ruleset key) that drop a cache's entries for a ruleset
_WATCHED: set = set()


def ruleset_key(base: RuleBase) -> int:
    """A key for ``base`` in a cache; every cache registered with :func:`forgets` drops its entries
    under it when ``base`` is freed (so a cache entry never needs to keep its ruleset alive)."""
    key = id(base)
    if key not in _WATCHED:
        _WATCHED.add(key)
        weakref.finalize(base, _forget, key).atexit = False  # at exit nothing needs dropping
    return key


def forgets(purge):
    """Register ``purge(key)``, called with a freed ruleset's :func:`ruleset_key`."""
    _FORGET.append(purge)
    return purge


def _forget(key: int) -> None:
    _WATCHED.discard(key)
    for purge in _FORGET:
        purge(key)


def _cache_key(root: Path):
    try:
        files = sorted(root.rglob("*.yaml"))
        return (str(root.resolve()), tuple((str(f), f.stat().st_mtime_ns) for f in files))
    except OSError:
        return (str(root), None)


def _load(root: Path, problems: list | None = None) -> RuleBase:
    """Load ``root``. With ``problems``, rule-level errors are collected there instead of raised."""
    if not root.is_dir():
        raise FairuseError(f"{root}: no such rules directory")
    meta_path = root / "ruleset.yaml"
    meta = load_file(meta_path, cached=True)
    if not isinstance(meta, dict) or "version" not in meta or "as_of" not in meta:
        raise FairuseError(f"{meta_path}: expected 'version' and 'as_of' (YYYY-MM-DD)")
    if isinstance(meta["version"], bool) or not isinstance(meta["version"], (str, int, float)):
        raise FairuseError(f"{meta_path}:{meta.line_of('version')}: 'version': expected text such as "
                           f"\"2026.11.25\", got {shown(meta['version'])}")
    try:
        stated = _as_date(meta["as_of"])
    except ValueError:
        raise FairuseError(f"{meta_path}:{meta.line_of('as_of')}: 'as_of' must be a date YYYY-MM-DD") from None
    vocab = load_vocabulary(root / "facts.yaml")
    authorities = _load_authorities(root / "authorities.yaml")

    jurisdictions: dict[str, Jurisdiction] = {}
    rule_files: list[tuple[Path, Node, RuleFileModel]] = []
    findings: dict[str, tuple] = {}
    finding_where: dict[str, str] = {}
    stated_by: dict[str, str] = {}
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and p.name in JURISDICTIONS):
        weighing = sub / "weighing.yaml"
        if not weighing.exists():
            raise FairuseError(f"{sub}: a jurisdiction folder needs a weighing.yaml")
        jurisdictions[sub.name] = _load_weighing(weighing, authorities, vocab)
        for path in sorted(sub.glob("*.yaml")):
            if path.name == "weighing.yaml":
                continue
            data = load_file(path, cached=True)
            if not isinstance(data, Node):
                raise FairuseError(f"{path}: expected a mapping with 'jurisdiction' and 'rules'")
            try:
                model = RuleFileModel.model_validate(dict(data))
            except ValidationError as exc:
                raise validation_error(exc, data, path) from None
            if model.jurisdiction != sub.name:
                raise FairuseError(f"{path}:{data.line_of('jurisdiction')}: jurisdiction '{model.jurisdiction}' in the folder '{sub.name}'")
            for fid, spec in model.findings.items():
                if fid in findings:
                    raise FairuseError(f"{path}:{data['findings'].line_of(fid)}: finding '{fid}' already declared at {finding_where[fid]}")
                if fid in vocab:
                    raise FairuseError(f"{path}:{data['findings'].line_of(fid)}: finding '{fid}' has the name of a fact")
                findings[fid] = tuple(spec.values)
                if spec.stated_by:
                    if spec.stated_by not in vocab:
                        raise FairuseError(f"{path}:{data['findings'].line_of(fid)}: finding '{fid}': stated_by names unknown fact '{spec.stated_by}'{closest(spec.stated_by, vocab.facts)}")
                    stated_by[fid] = spec.stated_by
                finding_where[fid] = f"{path}:{data['findings'].line_of(fid)}"
            rule_files.append((path, data, model))

    domains = cond.Domains(
        {f.id: f.domain for f in vocab}, {f.id: f.type for f in vocab}, findings)
    _check_modifiers(jurisdictions, domains, problems)
    rules: list[Rule] = []
    drafts: list[tuple[Path, int, str]] = []
    for path, data, model in rule_files:
        for index, raw in enumerate(model.rules):
            node = data["rules"][index]
            if isinstance(raw, dict) and raw.get("draft") is True:
                drafts.append((path, getattr(node, "line", 0), str(raw.get("id", "?"))))
                continue
            try:
                rules.append(_build_rule(raw, node, path, model, domains, authorities, jurisdictions))
            except FairuseError as exc:
                if problems is None:
                    raise
                problems.append(str(exc))
    _check_versions(rules, problems)
    _check_exceptions(rules, problems)
    base = RuleBase(root, str(meta["version"]), stated, vocab, authorities, findings, rules, jurisdictions)
    base.drafts = drafts
    base.stated_by = stated_by
    return base


def _build_rule(raw, node, path, filemodel, domains, authorities, jurisdictions) -> Rule:
    line = getattr(node, "line", None) or 0
    rid = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        raise FairuseError(f"{path}:{line}: each rule must be a mapping")
    if "authority" not in raw or not raw.get("authority"):
        raise FairuseError(f"{path}:{line}: {rid or '?'}: a rule needs at least one 'authority'")
    try:
        model = RuleModel.model_validate(dict(raw))
    except ValidationError as exc:
        raise validation_error(exc, node, path, rid) from None
    where = lambda ln=None: f"{path}:{ln or line}: {model.id}"  # noqa: E731
    if not model.id.startswith(filemodel.jurisdiction + "."):
        raise FairuseError(f"{where()}: a rule id starts with its jurisdiction '{filemodel.jurisdiction}.'")
    if model.effective_until and model.effective_until < model.effective_from:
        raise FairuseError(f"{where(node.line_of('effective_until'))}: effective_until is before effective_from")
    when = cond.parse(node["when"], domains, where)
    if cond.dnf_size(when, domains) > cond.MAX_ALTERNATIVES:  # counted, never expanded
        raise FairuseError(f"{where()}: its condition expands to more than {cond.MAX_ALTERNATIVES} alternatives "
                           f"(all of any's multiply); name a part as a finding or split the rule")
    then = model.then
    then_line = node.line_of("then")
    for fid, value in then.finding.items():
        if fid not in domains.findings:
            raise FairuseError(f"{where(then_line)}: concludes unknown finding '{fid}'{closest(fid, domains.findings)}; declare it under 'findings:'")
        if value not in domains.findings[fid]:
            raise FairuseError(f"{where(then_line)}: finding '{fid}' has no value {value!r}; expected one of {list(domains.findings[fid])}")
    factor = then.factor or filemodel.factor
    jur = jurisdictions[filemodel.jurisdiction]
    if then.leans or then.weight:
        if jur.kind != "fair_use":
            raise FairuseError(f"{where(then_line)}: 'leans'/'weight' belong to fair-use jurisdictions; use provision/condition/met")
        if not (then.leans and then.weight and factor):
            raise FairuseError(f"{where(then_line)}: 'leans' needs 'weight' and a factor (in 'then' or the file)")
    if then.provision or then.condition or then.met is not None:
        if not then.provisions:
            raise FairuseError(f"{where(then_line)}: 'condition' and 'met' need a 'provision'")
        for pid in then.provisions:
            if pid not in jur.provisions:
                raise FairuseError(f"{where(then_line)}: unknown provision '{pid}'{closest(str(pid), jur.provisions)}; declare it in {jur.file}")
            prov = jur.provisions[pid]
            if then.condition is not None and then.condition not in prov.conditions:
                raise FairuseError(f"{where(then_line)}: provision {prov.id} has no condition '{then.condition}'{closest(then.condition, prov.conditions)}")
        if (then.condition is None) != (then.met is None):
            raise FairuseError(f"{where(then_line)}: 'condition' and 'met' go together")
    if not (then.finding or then.leans or then.verdict or then.provision or then.duty or then.note or then.mitigation):
        raise FairuseError(f"{where(then_line)}: 'then' concludes nothing")
    cites = tuple(parse_citation(a, authorities, where(node.line_of("authority"))) for a in model.authority)
    rule = Rule(model.id, filemodel.jurisdiction, model.title, model.text.strip(), when, dict(raw["when"]), then,
                factor if then.leans else None, " ".join(model.explanation.split()), cites,
                model.effective_from, model.effective_until, model.unsettled, tuple(model.tags), path, line,
                tuple(model.exception_to), model.status,
                unverified=model.unverified or ("unverified" if model.status == "unverified" else None),
                source_kind=model.source_kind or derive_source_kind(cites),
                split=" ".join(model.split.split()) if model.split else None)
    if model.application:
        rule.application = _check_application(model.application, where(node.line_of("application")))
    return rule


def derive_source_kind(cites) -> str:
    """A rule citing a statute or regulation restates it; otherwise it is made from a decision or guidance."""
    kinds = {c.authority.kind for c in cites}
    if "statute" in kinds:
        return "statute"
    if "regulation" in kinds:
        return "regulation"
    if "case" in kinds:
        return "decision"
    return "guidance"


def _check_application(template: str, where: str) -> str:
    """An ``application:`` must be a Jinja2 template that compiles (it is rendered in the memo's sandbox)."""
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    text = " ".join(template.split())
    try:
        SandboxedEnvironment().parse(text)
    except TemplateSyntaxError as exc:
        raise FairuseError(f"{where}: 'application': not a valid template ({exc.message})") from None
    return text


def _check_versions(rules: list[Rule], problems: list | None = None) -> None:
    """Same id twice is allowed only as successive dated versions."""
    seen: dict[str, list[Rule]] = {}
    for rule in rules:
        for other in seen.get(rule.id, []):
            a_end = other.effective_until or FOREVER
            b_end = rule.effective_until or FOREVER
            if rule.effective_from <= a_end and other.effective_from <= b_end:
                message = (f"{rule.where}: {rule.id}: duplicate rule id (also at {other.where}); "
                           f"a new version needs effective dates that do not overlap")
                if problems is None:
                    raise FairuseError(message)
                problems.append(message)
        seen.setdefault(rule.id, []).append(rule)


def _check_exceptions(rules: list[Rule], problems: list | None = None) -> None:
    """``exception_to`` names rules of the same jurisdiction, and exceptions never form a cycle."""
    ids = {(r.jurisdiction, r.id) for r in rules}
    graph: dict[str, set] = {}
    for rule in rules:
        for target in rule.exception_to:
            if (rule.jurisdiction, target) not in ids:
                message = f"{rule.where}: {rule.id}: exception_to names unknown rule '{target}' (in {rule.jurisdiction})"
                if problems is None:
                    raise FairuseError(message)
                problems.append(message)
            graph.setdefault(rule.id, set()).add(target)

    cyclic = _on_cycles(graph)
    for rule in rules:
        if rule.id in cyclic:
            message = f"{rule.where}: {rule.id}: exception_to forms a cycle; an exception cannot be its own exception"
            if problems is None:
                raise FairuseError(message)
            problems.append(message)
            break


def _on_cycles(graph: dict[str, set]) -> set:
    """The nodes of ``graph`` (node -> successors) that lie on a cycle.

    Tarjan's strongly connected components, without recursion: linear in the
    nodes and edges, so forty layers of exceptions each naming the whole layer
    below (2**40 paths) or a chain of thousands cost what their size says.
    """
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    out: set = set()
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph.get(node, ()):
                        out.update(component)
    return out


def parse_date(text: str, what: str = "--as-of") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FairuseError(f"{what}: expected a date YYYY-MM-DD, got {text!r}") from None

