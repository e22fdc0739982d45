"""Build a Protocol from a parsed protocol file, checking every key.

Each section of the file has its own step (vital rules, schedule, observation,
checklist, discharge, side effects, dose limits, dosing); an unknown key, a
wrong type or a contradiction raises ProtocolError naming the file and key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kapdesk.domain import protocol_model as model
from kapdesk.domain.errors import ProtocolError
from kapdesk.domain.protocol_reader import TableReader
from kapdesk.i18n import _

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
            raise ProtocolError(source, key, _("unique ids, '{id}' appears twice", id=i))
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


def _dose_limit(t: TableReader, route: model.Route) -> model.DoseLimit:
    """One [dose_limits.<route>] table; see DoseLimit for the defaults."""
    t.only(*_DOSE_LIMIT_KEYS)
    out: dict[str, float | None] = {}
    for unit in ("mg", "mg_per_kg"):
        key = f"max_{unit}"
        maximum = t.number(f"max_{unit}")
        ceiling = t.number(f"ceiling_{unit}", None if maximum is None else 2 * maximum)
        low = t.number(f"question_below_{unit}", None if maximum is None else maximum / 10)
        if maximum is not None and ceiling is not None and ceiling < maximum:
            most, got = f"{maximum:g}", f"{ceiling:g}"
            raise t.fail(
                f"ceiling_{unit}",
                _("a number ≥ {key} ({maximum}), got {value}", key=key, maximum=most, value=got),
            )
        if low is not None and maximum is not None and low > maximum:
            most = f"{maximum:g}"
            raise t.fail(
                f"question_below_{unit}", _("a number ≤ {key} ({maximum})", key=key, maximum=most)
            )
        out |= {f"max_{unit}": maximum, f"ceiling_{unit}": ceiling, f"question_below_{unit}": low}
    return model.DoseLimit(route, session_max_mg=t.number("session_max_mg"), **out)


def _dosing_gates(dosing: TableReader) -> dict[str, Any]:
    """The [dosing] keys that gate doses: device medications, device gap, booster bands."""
    bands: list[model.Band] = []
    for value in dosing.text_list("booster_gate_bands", ("alert", "critical")):
        try:
            band = model.Band(value)
        except ValueError:
            band = model.Band.NORMAL
        if band is model.Band.NORMAL:
            raise dosing.fail(
                "booster_gate_bands",
                _("bands among elevated, alert, critical, got {value}", value=repr(value)),
            )
        bands.append(band)
    return {
        "device_medications": dosing.text_list("device_medications", ("esketamine",)),
        "device_gap_min": dosing.integer("device_gap_min", 5),
        "booster_gate_bands": tuple(bands),
    }


_RULE_LIMITS = _RULE_KEYS[4:]  # the optional whole-number conditions and timings
_SCHEDULE_KEYS = (
    *("id", "label", "anchor", "from_min", "to_min"),
    *("repeat_every_min", "repeat_count", "when"),
)


def _vital_rule(t: TableReader) -> model.VitalRule:
    t.only(*_RULE_KEYS)
    rule = model.VitalRule(
        id=t.text("id"),
        phase=t.choice("phase", model.Phase),
        band=t.choice("band", model.Band),
        action=t.text("action"),
        **{key: t.optional_int(key) for key in _RULE_LIMITS},
    )
    if rule.band is model.Band.NORMAL:
        raise t.fail("band", _("elevated, alert or critical (normal is what no rule fires)"))
    if not rule.describe():
        raise t.fail(
            "id",
            _(
                "at least one condition (systolic_gte, systolic_gt, diastolic_gte, "
                "diastolic_gt, pulse_gt, spo2_lt, systolic_rise_gte or diastolic_rise_gte)"
            ),
        )
    rising = rule.systolic_rise_gte is not None or rule.diastolic_rise_gte is not None
    if rising and rule.phase is not model.Phase.POST_DOSE:
        raise t.fail("phase", _("'post_dose' for a rise above the pre-dose baseline"))
    return rule


def _scheduled_reading(t: TableReader) -> model.ScheduledReading:
    t.only(*_SCHEDULE_KEYS)
    item = model.ScheduledReading(
        id=t.text("id"),
        label=t.text("label"),
        anchor=t.choice("anchor", model.Anchor),
        from_min=t.integer("from_min", 0),
        to_min=t.integer("to_min", 0),
        repeat_every_min=t.integer("repeat_every_min", 0),
        repeat_count=t.integer("repeat_count", 1, minimum=1),
        when=t.text_list("when", default=()),
        labels=t.labels(),
    )
    if item.anchor is model.Anchor.RECHECK:
        raise t.fail("anchor", _("pre_dose, first_dose, each_dose or discharge, not recheck"))
    for cond in item.when:
        if cond not in model.SCHEDULE_CONDITIONS:
            allowed = ", ".join(model.SCHEDULE_CONDITIONS)
            raise t.fail(
                "when",
                _("conditions among {allowed}, got {value}", allowed=allowed, value=repr(cond)),
            )
    timed = item.anchor in (model.Anchor.FIRST_DOSE, model.Anchor.EACH_DOSE)
    if timed and item.to_min < item.from_min:
        raise t.fail(
            "to_min",
            _(
                "a minute ≥ from_min ({minimum}), got {value}",
                minimum=item.from_min,
                value=item.to_min,
            ),
        )
    if item.repeat_count > 1 and item.repeat_every_min <= 0:
        raise t.fail("repeat_every_min", _("a positive number of minutes when repeat_count > 1"))
    if not timed and item.repeat_count > 1:
        raise t.fail(
            "repeat_count",
            _("1 for anchor '{anchor}' (it does not repeat)", anchor=item.anchor.value),
        )
    return item


def _routes_keyed(table: TableReader) -> Iterator[model.Route]:
    """The keys of a table keyed by route ([observation.minimum_minutes], [dose_limits]),
    each checked just before the caller reads its value, so errors come in file order."""
    for key in table.data:
        try:
            route = model.Route(key)
        except ValueError:
            allowed = ", ".join(x.value for x in model.Route)
            raise table.fail(key, _("a route among {allowed}", allowed=allowed)) from None
        yield route


def _minimum_observation(obs: TableReader) -> dict[model.Route, int]:
    minutes = obs.table("minimum_minutes")
    found = {route: minutes.integer(route.value) for route in _routes_keyed(minutes)}
    if not found:
        raise obs.fail("minimum_minutes", _("at least one route with its minutes"))
    return found


def _checklist(r: TableReader) -> list[model.ChecklistItem]:
    for t in r.tables("checklist"):
        t.only("id", "label", "kind", "required", "unit", "routes", "blocks_dose")
    checklist = [
        model.ChecklistItem(
            id=t.text("id"),
            label=t.text("label"),
            kind=t.text("kind", "yes_no"),
            required=t.boolean("required", True),
            unit=t.text("unit", ""),
            routes=t.routes("routes"),
            blocks_dose=t.boolean("blocks_dose", False),
            labels=t.labels(),
        )
        for t in r.tables("checklist")
    ]
    for i, c in enumerate(checklist):
        if c.kind not in ("yes_no", "number"):
            raise ProtocolError(
                r.source,
                f"checklist[{i}].kind",
                _("'yes_no' or 'number', got {value}", value=repr(c.kind)),
            )
        if c.blocks_dose and c.kind != "yes_no":
            raise ProtocolError(
                r.source, f"checklist[{i}].blocks_dose", _("false on a number item")
            )
    return checklist


def _discharge(r: TableReader) -> list[model.DischargeCriterion]:
    for t in r.tables("discharge"):
        t.only("id", "label", "computed")
    discharge = [
        model.DischargeCriterion(
            id=t.text("id"),
            label=t.text("label"),
            computed=t.text("computed", ""),
            labels=t.labels(),
        )
        for t in r.tables("discharge")
    ]
    known = ", ".join(map(repr, model.COMPUTED_CRITERIA))
    for i, d in enumerate(discharge):
        if d.computed and d.computed not in model.COMPUTED_CRITERIA:
            raise ProtocolError(
                r.source,
                f"discharge[{i}].computed",
                _("'' or one of {known}, got {value}", known=known, value=repr(d.computed)),
            )
    return discharge


def _side_effects(r: TableReader) -> list[model.SideEffectDef]:
    for t in r.tables("side_effects"):
        t.only("id", "label", "routes")
    return [
        model.SideEffectDef(
            id=t.text("id"), label=t.text("label"), routes=t.routes("routes"), labels=t.labels()
        )
        for t in r.tables("side_effects")
    ]


def _dose_limits(r: TableReader) -> dict[model.Route, model.DoseLimit]:
    table = r.table("dose_limits", required=False)
    return {route: _dose_limit(table.table(route.value), route) for route in _routes_keyed(table)}


def _dosing(r: TableReader) -> dict[str, Any]:
    """The [dosing] table: medications, routes, the nasal device and the dose gates."""
    dosing = r.table("dosing")
    dosing.only(*_DOSING_KEYS)
    routes = dosing.routes("routes")
    if not routes:
        raise dosing.fail("routes", _("at least one route"))
    medications = dosing.text_list("medications")
    if not medications:
        raise dosing.fail("medications", _("at least one medication"))
    return {
        "medications": medications,
        "routes": routes,
        "intranasal_device_mg": dosing.number("intranasal_device_mg", 28.0) or 28.0,
        **_dosing_gates(dosing),
    }


def parse_protocol(data: Mapping[str, Any], source: str) -> model.Protocol:
    """Build a Protocol from parsed TOML, checking every key."""
    r = TableReader(source, data)
    r.only(*_TOP_LEVEL_KEYS)
    rules = [_vital_rule(t) for t in r.tables("vital_rules")]
    _unique(source, "vital_rules.id", (x.id for x in rules))
    schedule = [_scheduled_reading(t) for t in r.tables("schedule")]
    _unique(source, "schedule.id", (x.id for x in schedule))
    obs = r.table("observation")
    obs.only("minimum_minutes", "min_after_last_dose_min")
    min_obs = _minimum_observation(obs)
    checklist = _checklist(r)
    _unique(source, "checklist.id", (x.id for x in checklist))
    discharge = _discharge(r)
    _unique(source, "discharge.id", (x.id for x in discharge))
    side_effects = _side_effects(r)
    _unique(source, "side_effects.id", (x.id for x in side_effects))
    limits = _dose_limits(r)
    dosing = _dosing(r)
    outcomes = r.table("outcomes", required=False)
    outcomes.only("acute_weeks", "deterioration_rise")
    return model.Protocol(
        id=r.text("id"),
        version=r.text("version"),
        title=r.text("title"),
        source=r.text("source"),
        vital_rules=tuple(rules),
        schedule=tuple(schedule),
        min_observation_min=min_obs,
        checklist=tuple(checklist),
        discharge=tuple(discharge),
        side_effects=tuple(side_effects),
        dose_limits=limits,
        recheck_after_min=r.integer("recheck_after_min", 5),
        **dosing,
        recheck_window_min=r.integer("recheck_window_min", 5, minimum=1),
        missed_after_min=r.integer("missed_after_min", 15, minimum=1),
        min_after_last_dose_min=obs.integer("min_after_last_dose_min", 60),
        acute_weeks=outcomes.integer("acute_weeks", 8, minimum=1),
        deterioration_rise=outcomes.integer("deterioration_rise", 5, minimum=1),
        file=source,
    )
