"""Clinic protocols as data.

A protocol is a TOML file (``resources/protocols/*.toml``) holding every number
a clinic may set: BP thresholds per phase, the reading schedule, the minimum
observation before discharge, discharge criteria, the pre-session checklist,
the side-effect catalogue and per-route dose maxima. Nothing clinical is a
constant in code; every alert names the protocol id and version that raised it.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from kapdesk.domain.errors import ProtocolError


class Phase(StrEnum):
    PRE_DOSE = "pre_dose"
    POST_DOSE = "post_dose"
    ANY = "any"


class Band(StrEnum):
    """Classification of a reading, in rising order of concern."""

    NORMAL = "normal"
    ELEVATED = "elevated"
    ALERT = "alert"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _BAND_RANK[self]


_BAND_RANK = {Band.NORMAL: 0, Band.ELEVATED: 1, Band.ALERT: 2, Band.CRITICAL: 3}


class Route(StrEnum):
    IV = "iv"
    IM = "im"
    SC = "sc"
    SUBLINGUAL = "sublingual"
    BUCCAL = "buccal"
    INTRANASAL = "intranasal"
    ORAL = "oral"


class Anchor(StrEnum):
    """What a scheduled reading's time is counted from."""

    PRE_DOSE = "pre_dose"  # before the first dose
    FIRST_DOSE = "first_dose"  # minutes after the first dose
    EACH_DOSE = "each_dose"  # minutes after every dose, boosters included
    DISCHARGE = "discharge"  # the last reading before discharge
    RECHECK = "recheck"  # computed from a rule's repeat_after_min; never in a protocol file


@dataclass(frozen=True)
class VitalRule:
    """One threshold rule; it fires when ANY of its conditions holds."""

    id: str
    phase: Phase
    band: Band
    action: str
    systolic_gte: int | None = None
    systolic_gt: int | None = None
    diastolic_gte: int | None = None
    diastolic_gt: int | None = None
    pulse_gt: int | None = None
    spo2_lt: int | None = None
    repeat_after_min: int | None = None
    escalate_after_consecutive: int | None = None
    # post-dose rise above the pre-dose baseline (the latest pre-dose reading), mmHg
    systolic_rise_gte: int | None = None
    diastolic_rise_gte: int | None = None

    def describe(self) -> str:
        """Human-readable condition, e.g. 'systolic ≥ 140 or diastolic ≥ 90 mmHg'."""
        parts: list[str] = []
        if self.systolic_gte is not None:
            parts.append(f"systolic ≥ {self.systolic_gte}")
        if self.systolic_gt is not None:
            parts.append(f"systolic > {self.systolic_gt}")
        if self.diastolic_gte is not None:
            parts.append(f"diastolic ≥ {self.diastolic_gte}")
        if self.diastolic_gt is not None:
            parts.append(f"diastolic > {self.diastolic_gt}")
        text = " or ".join(parts)
        if parts:
            text += " mmHg"
        extra: list[str] = []
        if self.pulse_gt is not None:
            extra.append(f"pulse > {self.pulse_gt}/min")
        if self.spo2_lt is not None:
            extra.append(f"SpO2 < {self.spo2_lt} %")
        rise = [
            f"{name} ≥ {value}"
            for name, value in (
                ("systolic", self.systolic_rise_gte),
                ("diastolic", self.diastolic_rise_gte),
            )
            if value is not None
        ]
        if rise:
            extra.append(" or ".join(rise) + " mmHg above the pre-dose baseline")
        return " or ".join([p for p in [text, *extra] if p])


@dataclass(frozen=True)
class ScheduledReading:
    """A reading the protocol asks for, with its window in minutes from its anchor.

    FIRST_DOSE / EACH_DOSE: due ``from_min`` minutes after the dose, overdue
    once ``to_min`` has passed (20-30 min: due from 20:00, overdue from 30:01).
    With ``repeat_every_min`` the window repeats ``repeat_count`` times.
    PRE_DOSE: due until the first dose; the window numbers are unused.
    DISCHARGE: ``from_min`` is a lead time: due from ``from_min`` minutes before
    the minimum observation ends; only readings from then on satisfy it.
    """

    id: str
    label: str
    anchor: Anchor
    from_min: int = 0
    to_min: int = 0
    repeat_every_min: int = 0
    repeat_count: int = 1
    # Conditional reading: listed only when one of these holds (SCHEDULE_CONDITIONS);
    # empty: always listed.
    when: tuple[str, ...] = ()


# What a conditional schedule item may depend on (services work these out per session).
SCHEDULE_CONDITIONS = ("elevated_baseline", "first_session", "dose_increase")


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    label: str
    kind: str = "yes_no"  # "yes_no" or "number"
    required: bool = True
    unit: str = ""
    routes: tuple[Route, ...] = ()  # empty: every route
    # true: the dose is refused until answered yes or a clinician overrides it (with a
    # reason); false (yes/no items): an answer other than yes is a warning acknowledged
    # with the dose.
    blocks_dose: bool = False


@dataclass(frozen=True)
class DischargeCriterion:
    id: str
    label: str
    computed: str = ""  # "" (staff confirm) or one of COMPUTED_CRITERIA


# Criteria kapdesk works out from the record (kapdesk.domain.discharge evaluates them).
COMPUTED_CRITERIA = (
    "vitals_acceptable",
    "min_observation",
    "readings_taken",
    "side_effects_resolved",
)


@dataclass(frozen=True)
class SideEffectDef:
    id: str
    label: str
    routes: tuple[Route, ...] = ()  # empty: every route


@dataclass(frozen=True)
class DoseLimit:
    """Per-dose maxima (above: a clinician's recorded confirmation), the absolute
    ceiling (above: refused, no confirmation passes), the amount below which a dose is
    questioned (a typo guard) and, optionally, a maximum for the session's total on the
    route. Ceiling and question thresholds default (when a file omits them) to twice and
    one tenth of the maximum: safety defaults, not from a source."""

    route: Route
    max_mg: float | None = None
    max_mg_per_kg: float | None = None
    ceiling_mg: float | None = None
    ceiling_mg_per_kg: float | None = None
    question_below_mg: float | None = None
    question_below_mg_per_kg: float | None = None
    session_max_mg: float | None = None


@dataclass(frozen=True)
class Protocol:
    id: str
    version: str
    title: str
    source: str
    medications: tuple[str, ...]
    routes: tuple[Route, ...]
    vital_rules: tuple[VitalRule, ...]
    schedule: tuple[ScheduledReading, ...]
    min_observation_min: Mapping[Route, int]
    checklist: tuple[ChecklistItem, ...]
    discharge: tuple[DischargeCriterion, ...]
    side_effects: tuple[SideEffectDef, ...]
    dose_limits: Mapping[Route, DoseLimit]
    intranasal_device_mg: float = 28.0
    recheck_after_min: int = 5
    # [dosing]: medications that may be given as nasal devices; the least time between
    # devices (a shorter gap is warned); the post-dose bands that gate every further dose.
    device_medications: tuple[str, ...] = ("esketamine",)
    device_gap_min: int = 5
    booster_gate_bands: tuple[Band, ...] = (Band.ALERT, Band.CRITICAL)
    recheck_window_min: int = 5  # a rule's recheck is due for this long, then overdue
    missed_after_min: int = 15  # an overdue reading is missed this long after its window
    # [observation]: discharge also needs this long after the last dose (a booster restarts it)
    min_after_last_dose_min: int = 60
    acute_weeks: int = 8  # [outcomes]: a course's endpoint is its last PHQ-9 within these weeks
    deterioration_rise: int = 5  # [outcomes]: a follow-up this many points above the endpoint
    file: str = field(default="", compare=False)
    text: str = field(default="", compare=False, repr=False)  # the file's exact text
    sha256: str = field(default="", compare=False)  # protocol_hash(text): what a course pins

    @property
    def label(self) -> str:
        """'kap-default v1.0' - what alerts and PDFs print as provenance."""
        return f"{self.id} v{self.version}"

    @property
    def fingerprint(self) -> str:
        """The first 12 hex digits of the content hash, printed next to the label."""
        return self.sha256[:12]

    def rules_for(self, phase: Phase) -> tuple[VitalRule, ...]:
        return tuple(r for r in self.vital_rules if r.phase in (phase, Phase.ANY))

    def min_observation_for(self, route: Route) -> int:
        try:
            return self.min_observation_min[route]
        except KeyError:
            return max(self.min_observation_min.values(), default=0)

    def side_effects_for(self, route: Route | None) -> tuple[SideEffectDef, ...]:
        return tuple(s for s in self.side_effects if not s.routes or route in s.routes)

    def checklist_for(self, route: Route | None) -> tuple[ChecklistItem, ...]:
        return tuple(c for c in self.checklist if not c.routes or route in c.routes)


# --------------------------------------------------------------------- loading


class _Reader:
    """Typed access to one TOML table, raising ProtocolError that names file and key."""

    def __init__(self, source: str, data: Mapping[str, Any], prefix: str = "") -> None:
        self.source = source
        self.data = data
        self.prefix = prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, expected: str) -> ProtocolError:
        return ProtocolError(self.source, self.key(name), expected)

    def has(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str, default: str | None = None) -> str:
        if name not in self.data:
            if default is not None:
                return default
            raise self.fail(name, "a text value (missing)")
        value = self.data[name]
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(name, f"a non-empty text value, got {value!r}")
        return value

    def integer(self, name: str, default: int | None = None, *, minimum: int = 0) -> int:
        if name not in self.data:
            if default is not None:
                return default
            raise self.fail(name, "a whole number (missing)")
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(name, f"a whole number ≥ {minimum}, got {value!r}")
        return value

    def optional_int(self, name: str) -> int | None:
        if name not in self.data:
            return None
        return self.integer(name)

    def number(self, name: str, default: float | None = None) -> float | None:
        if name not in self.data:
            return default
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(name, f"a positive number, got {value!r}")
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        if name not in self.data:
            return default
        value = self.data[name]
        if not isinstance(value, bool):
            raise self.fail(name, f"true or false, got {value!r}")
        return value

    def only(self, *names: str) -> None:
        """Reject unknown keys: a misspelt threshold must not silently vanish."""
        for key in self.data:
            if key not in names:
                raise self.fail(key, f"a known key ({', '.join(names)})")

    def choice(self, name: str, enum: type[StrEnum], default: StrEnum | None = None) -> Any:
        allowed = ", ".join(repr(e.value) for e in enum)
        if name not in self.data:
            if default is not None:
                return default
            raise self.fail(name, f"one of {allowed} (missing)")
        value = self.data[name]
        try:
            return enum(value)
        except ValueError:
            raise self.fail(name, f"one of {allowed}, got {value!r}") from None

    def text_list(self, name: str, default: Iterable[str] | None = None) -> tuple[str, ...]:
        if name not in self.data:
            if default is not None:
                return tuple(default)
            raise self.fail(name, "a list of text values (missing)")
        value = self.data[name]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(name, f"a list of text values, got {value!r}")
        return tuple(value)

    def routes(self, name: str) -> tuple[Route, ...]:
        values = self.text_list(name, default=())
        allowed = ", ".join(r.value for r in Route)
        out: list[Route] = []
        for v in values:
            try:
                out.append(Route(v))
            except ValueError:
                raise self.fail(name, f"routes among {allowed}, got {v!r}") from None
        return tuple(out)

    def table(self, name: str, *, required: bool = True) -> _Reader:
        value = self.data.get(name)
        if value is None and not required:
            return _Reader(self.source, {}, f"{self.key(name)}.")
        if not isinstance(value, dict):
            got = " (missing)" if value is None else f", got {value!r}"
            raise self.fail(name, "a table" + got)
        return _Reader(self.source, value, f"{self.key(name)}.")

    def tables(self, name: str, *, required: bool = True) -> list[_Reader]:
        value = self.data.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            got = " (missing)" if value is None else f", got {value!r}"
            raise self.fail(name, "one or more [[" + self.key(name) + "]] tables" + got)
        return [_Reader(self.source, v, f"{self.key(name)}[{i}].") for i, v in enumerate(value)]


# Every key a table may hold; anything else is a typo that would otherwise drop a rule.
_TOP_LEVEL_KEYS = (
    "id",
    "version",
    "title",
    "source",
    "recheck_after_min",
    "recheck_window_min",
    "missed_after_min",
    "outcomes",
    "dosing",
    "dose_limits",
    "observation",
    "vital_rules",
    "schedule",
    "checklist",
    "discharge",
    "side_effects",
)
_RULE_KEYS = (
    "id",
    "phase",
    "band",
    "action",
    "systolic_gte",
    "systolic_gt",
    "diastolic_gte",
    "diastolic_gt",
    "pulse_gt",
    "spo2_lt",
    "repeat_after_min",
    "escalate_after_consecutive",
    "systolic_rise_gte",
    "diastolic_rise_gte",
)


def _unique(source: str, key: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ProtocolError(source, key, f"unique ids, '{i}' appears twice")
        seen.add(i)


_DOSING_KEYS = (
    "medications",
    "routes",
    "intranasal_device_mg",
    "device_medications",
    "device_gap_min",
    "booster_gate_bands",
)
_DOSE_LIMIT_KEYS = (
    "max_mg",
    "max_mg_per_kg",
    "ceiling_mg",
    "ceiling_mg_per_kg",
    "question_below_mg",
    "question_below_mg_per_kg",
    "session_max_mg",
)


def _dose_limit(t: _Reader, route: Route) -> DoseLimit:
    """One [dose_limits.<route>] table; see DoseLimit for the defaults."""
    t.only(*_DOSE_LIMIT_KEYS)
    out: dict[str, float | None] = {}
    for unit in ("mg", "mg_per_kg"):
        maximum = t.number(f"max_{unit}")
        ceiling = t.number(f"ceiling_{unit}", None if maximum is None else 2 * maximum)
        low = t.number(f"question_below_{unit}", None if maximum is None else maximum / 10)
        if maximum is not None and ceiling is not None and ceiling < maximum:
            raise t.fail(f"ceiling_{unit}", f"a number ≥ max_{unit} ({maximum:g}), got {ceiling:g}")
        if low is not None and maximum is not None and low > maximum:
            raise t.fail(f"question_below_{unit}", f"a number ≤ max_{unit} ({maximum:g})")
        out |= {f"max_{unit}": maximum, f"ceiling_{unit}": ceiling, f"question_below_{unit}": low}
    return DoseLimit(route, session_max_mg=t.number("session_max_mg"), **out)


def _dosing_gates(dosing: _Reader) -> dict[str, Any]:
    """The [dosing] keys that gate doses: device medications, device gap, booster bands."""
    bands: list[Band] = []
    for value in dosing.text_list("booster_gate_bands", ("alert", "critical")):
        try:
            band = Band(value)
        except ValueError:
            band = Band.NORMAL
        if band is Band.NORMAL:
            raise dosing.fail(
                "booster_gate_bands", f"bands among elevated, alert, critical, got {value!r}"
            )
        bands.append(band)
    return {
        "device_medications": dosing.text_list("device_medications", ("esketamine",)),
        "device_gap_min": dosing.integer("device_gap_min", 5),
        "booster_gate_bands": tuple(bands),
    }


def parse_protocol(data: Mapping[str, Any], source: str) -> Protocol:
    """Build a Protocol from parsed TOML, checking every key."""
    r = _Reader(source, data)
    r.only(*_TOP_LEVEL_KEYS)
    rules: list[VitalRule] = []
    for t in r.tables("vital_rules"):
        t.only(*_RULE_KEYS)
        rule = VitalRule(
            id=t.text("id"),
            phase=t.choice("phase", Phase),
            band=t.choice("band", Band),
            action=t.text("action"),
            systolic_gte=t.optional_int("systolic_gte"),
            systolic_gt=t.optional_int("systolic_gt"),
            diastolic_gte=t.optional_int("diastolic_gte"),
            diastolic_gt=t.optional_int("diastolic_gt"),
            pulse_gt=t.optional_int("pulse_gt"),
            spo2_lt=t.optional_int("spo2_lt"),
            repeat_after_min=t.optional_int("repeat_after_min"),
            escalate_after_consecutive=t.optional_int("escalate_after_consecutive"),
            systolic_rise_gte=t.optional_int("systolic_rise_gte"),
            diastolic_rise_gte=t.optional_int("diastolic_rise_gte"),
        )
        if rule.band is Band.NORMAL:
            raise t.fail("band", "elevated, alert or critical (normal is what no rule fires)")
        if not rule.describe():
            raise t.fail(
                "id",
                "at least one condition (systolic_gte, systolic_gt, diastolic_gte, "
                "diastolic_gt, pulse_gt, spo2_lt, systolic_rise_gte or diastolic_rise_gte)",
            )
        rising = rule.systolic_rise_gte is not None or rule.diastolic_rise_gte is not None
        if rising and rule.phase is not Phase.POST_DOSE:
            raise t.fail("phase", "'post_dose' for a rise above the pre-dose baseline")
        rules.append(rule)
    _unique(source, "vital_rules.id", (x.id for x in rules))

    schedule: list[ScheduledReading] = []
    for t in r.tables("schedule"):
        t.only(
            *("id", "label", "anchor", "from_min", "to_min"),
            *("repeat_every_min", "repeat_count", "when"),
        )
        item = ScheduledReading(
            id=t.text("id"),
            label=t.text("label"),
            anchor=t.choice("anchor", Anchor),
            from_min=t.integer("from_min", 0),
            to_min=t.integer("to_min", 0),
            repeat_every_min=t.integer("repeat_every_min", 0),
            repeat_count=t.integer("repeat_count", 1, minimum=1),
            when=t.text_list("when", default=()),
        )
        if item.anchor is Anchor.RECHECK:
            raise t.fail("anchor", "pre_dose, first_dose, each_dose or discharge, not recheck")
        for cond in item.when:
            if cond not in SCHEDULE_CONDITIONS:
                allowed = ", ".join(SCHEDULE_CONDITIONS)
                raise t.fail("when", f"conditions among {allowed}, got {cond!r}")
        timed = item.anchor in (Anchor.FIRST_DOSE, Anchor.EACH_DOSE)
        if timed and item.to_min < item.from_min:
            raise t.fail("to_min", f"a minute ≥ from_min ({item.from_min}), got {item.to_min}")
        if item.repeat_count > 1 and item.repeat_every_min <= 0:
            raise t.fail("repeat_every_min", "a positive number of minutes when repeat_count > 1")
        if not timed and item.repeat_count > 1:
            raise t.fail("repeat_count", f"1 for anchor '{item.anchor.value}' (it does not repeat)")
        schedule.append(item)
    _unique(source, "schedule.id", (x.id for x in schedule))

    obs = r.table("observation")
    obs.only("minimum_minutes", "min_after_last_dose_min")
    min_obs: dict[Route, int] = {}
    minutes = obs.table("minimum_minutes")
    for key in minutes.data:
        try:
            route = Route(key)
        except ValueError:
            allowed = ", ".join(x.value for x in Route)
            raise minutes.fail(key, f"a route among {allowed}") from None
        min_obs[route] = minutes.integer(key)
    if not min_obs:
        raise obs.fail("minimum_minutes", "at least one route with its minutes")

    for t in r.tables("checklist"):
        t.only("id", "label", "kind", "required", "unit", "routes", "blocks_dose")
    checklist = [
        ChecklistItem(
            id=t.text("id"),
            label=t.text("label"),
            kind=t.text("kind", "yes_no"),
            required=t.boolean("required", True),
            unit=t.text("unit", ""),
            routes=t.routes("routes"),
            blocks_dose=t.boolean("blocks_dose", False),
        )
        for t in r.tables("checklist")
    ]
    for i, c in enumerate(checklist):
        if c.kind not in ("yes_no", "number"):
            raise ProtocolError(
                source, f"checklist[{i}].kind", f"'yes_no' or 'number', got {c.kind!r}"
            )
        if c.blocks_dose and c.kind != "yes_no":
            raise ProtocolError(source, f"checklist[{i}].blocks_dose", "false on a number item")
    _unique(source, "checklist.id", (x.id for x in checklist))

    for t in r.tables("discharge"):
        t.only("id", "label", "computed")
    discharge = [
        DischargeCriterion(id=t.text("id"), label=t.text("label"), computed=t.text("computed", ""))
        for t in r.tables("discharge")
    ]
    for i, d in enumerate(discharge):
        if d.computed and d.computed not in COMPUTED_CRITERIA:
            raise ProtocolError(
                source,
                f"discharge[{i}].computed",
                f"'' or one of {', '.join(map(repr, COMPUTED_CRITERIA))}, got {d.computed!r}",
            )
    _unique(source, "discharge.id", (x.id for x in discharge))

    for t in r.tables("side_effects"):
        t.only("id", "label", "routes")
    side_effects = [
        SideEffectDef(id=t.text("id"), label=t.text("label"), routes=t.routes("routes"))
        for t in r.tables("side_effects")
    ]
    _unique(source, "side_effects.id", (x.id for x in side_effects))

    limits: dict[Route, DoseLimit] = {}
    dose_table = r.table("dose_limits", required=False)
    for key in dose_table.data:
        try:
            route = Route(key)
        except ValueError:
            allowed = ", ".join(x.value for x in Route)
            raise dose_table.fail(key, f"a route among {allowed}") from None
        t = dose_table.table(key)
        limits[route] = _dose_limit(t, route)

    dosing = r.table("dosing")
    dosing.only(*_DOSING_KEYS)
    routes = dosing.routes("routes")
    if not routes:
        raise dosing.fail("routes", "at least one route")
    medications = dosing.text_list("medications")
    if not medications:
        raise dosing.fail("medications", "at least one medication")
    outcomes = r.table("outcomes", required=False)
    outcomes.only("acute_weeks", "deterioration_rise")
    return Protocol(
        id=r.text("id"),
        version=r.text("version"),
        title=r.text("title"),
        source=r.text("source"),
        medications=medications,
        routes=routes,
        vital_rules=tuple(rules),
        schedule=tuple(schedule),
        min_observation_min=min_obs,
        checklist=tuple(checklist),
        discharge=tuple(discharge),
        side_effects=tuple(side_effects),
        dose_limits=limits,
        intranasal_device_mg=dosing.number("intranasal_device_mg", 28.0) or 28.0,
        recheck_after_min=r.integer("recheck_after_min", 5),
        **_dosing_gates(dosing),
        recheck_window_min=r.integer("recheck_window_min", 5, minimum=1),
        missed_after_min=r.integer("missed_after_min", 15, minimum=1),
        min_after_last_dose_min=obs.integer("min_after_last_dose_min", 60),
        acute_weeks=outcomes.integer("acute_weeks", 8, minimum=1),
        deterioration_rise=outcomes.integer("deterioration_rise", 5, minimum=1),
        file=source,
    )


def protocol_hash(text: str) -> str:
    """SHA-256 (hex) of a protocol file's exact text: what a course pins."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_protocol_text(text: str, source: str) -> Protocol:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(source, "(file)", f"valid TOML: {exc}") from None
    return replace(parse_protocol(data, source), text=text, sha256=protocol_hash(text))


def load_protocol_file(path: Path) -> Protocol:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(path.name, "(file)", f"UTF-8 text: {exc}") from None
    return load_protocol_text(text, path.name)


def builtin_protocols() -> dict[str, Protocol]:
    """The presets shipped in resources/protocols, keyed by id."""
    folder = resources.files("kapdesk.resources") / "protocols"
    out: dict[str, Protocol] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            proto = load_protocol_text(entry.read_text(encoding="utf-8"), entry.name)
            if proto.id in out:
                raise ProtocolError(entry.name, "id", f"an id not already used ('{proto.id}')")
            out[proto.id] = proto
    return out
