"""Discharge criteria: one definition, used by the services, the discharge page and the PDF.

Decisions a caller must know:

* ``at`` is the discharge time, which the service keeps at or before the clock
  (a typed future time never makes a criterion look met); ``now`` is the clock.
  Minimum observation and the reading schedule are judged at ``at`` (doses later
  than ``at`` are ignored). Vitals and side effects are judged on everything
  *recorded* up to ``now``, by when it was recorded, not by its typed time: a
  discharge backdated before a critical reading or a side effect recorded since
  still sees it. A record made after ``at`` may add an unresolved side effect,
  never clear one. Without ``now`` it is ``at``.
* Vitals acceptable: each value (BP, pulse, SpO2) is judged by the latest
  reading that measured it (``ReadingFact.values``), so SpO2 87 % followed by
  BP-only readings is not acceptable; every judged value must be normal, and the
  latest reading must be from the pre-discharge window on.
* Minimum observation has two clocks (both protocol data): the minimum for the
  route from the first dose, and ``min_after_last_dose_min`` from the last dose,
  so a booster restarts the second one. Both must have run out.
* Every reading the schedule (``kapdesk.domain.schedule.compute_schedule``)
  lists for the session must be done: one missed, overdue, due or not yet due
  is an unmet criterion. The item statuses are the schedule's; nothing here
  recomputes a window.
* A side effect that is present and not resolved (the latest record of each
  effect counts) is an unmet criterion.
* Staff-confirmed criteria are met only when ticked yes.
* Who may discharge against unmet criteria is the permission matrix
  (``Action.DISCHARGE_WITH_UNMET_CRITERIA``); such a discharge needs a reason
  and is shown as what it is: :func:`kapdesk.domain.discharge_record.against_criteria_text`.
* A criterion's label and detail are frozen into the session at discharge: they are
  ``Wording`` (English where kept, translated where shown: ``wording.shown``), and so is
  :func:`unmet_text` (a refusal the audit log keeps). The summaries are shown only: in the
  active language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kapdesk.domain.alerts import MEASURES
from kapdesk.domain.clock import ensure_utc
from kapdesk.domain.discharge_record import Criterion
from kapdesk.domain.protocol import Anchor, Band, DischargeCriterion, Protocol, Route, band_word
from kapdesk.domain.schedule import DueItem, ItemStatus, minimum_observation_end
from kapdesk.domain.side_effects import Severity
from kapdesk.domain.text import in_brackets
from kapdesk.domain.timetext import minutes_span
from kapdesk.domain.wording import Wording, label_of
from kapdesk.i18n import N_, _, _n


@dataclass(frozen=True)
class ValueFact:
    """One value a reading measured, with the band its own rules gave it."""

    measure: str  # 'BP', 'pulse', 'SpO2' (kapdesk.domain.alerts.MEASURES)
    band: Band
    text: str  # 'SpO2 87 %'


@dataclass(frozen=True)
class ReadingFact:
    """A vital-sign reading as the discharge rule sees it."""

    taken_at: datetime
    band: Band
    text: str  # 'BP 186/100'
    protocol_label: str  # the protocol version that banded it
    # each value measured; empty: the reading is judged as a whole by ``band``
    values: tuple[ValueFact, ...] = ()
    recorded_at: datetime | None = None  # None: taken_at


def _recorded(r: ReadingFact | EffectFact) -> datetime | None:
    if isinstance(r, ReadingFact):
        return ensure_utc(r.recorded_at or r.taken_at)
    return None if r.recorded_at is None else ensure_utc(r.recorded_at)


@dataclass(frozen=True)
class EffectFact:
    """One side-effect record; give them oldest first (the latest of each effect counts)."""

    effect_id: str
    label: str
    present: bool
    severity: str | None = None
    resolved_at: datetime | None = None
    recorded_at: datetime | None = None


_NO_DOSE = N_("No dose given yet.")


def _judged(c: DischargeCriterion, met: bool, detail: str) -> Criterion:
    return Criterion(c.id, label_of(c), True, met, detail)


@dataclass(frozen=True)
class ObservationClock:
    """When observation may end: both clocks, and the later of the two."""

    first_dose: datetime
    last_dose: datetime
    from_first_min: int  # the route's minimum from the first dose
    after_last_min: int  # the minimum after the last dose
    ends_at: datetime

    @property
    def has_booster(self) -> bool:
        return self.last_dose > self.first_dose


def observation_clock(
    protocol: Protocol, route: Route | None, dose_times: Sequence[datetime]
) -> ObservationClock | None:
    """Both observation clocks for these doses (None before a dose); ``ends_at`` is
    ``schedule.minimum_observation_end``, the one definition the schedule uses too."""
    if not dose_times:
        return None
    times = [ensure_utc(d) for d in dose_times]
    ends = minimum_observation_end(protocol, route, times)
    assert ends is not None
    if route is None:
        from_first = max(protocol.min_observation_min.values(), default=0)
    else:
        from_first = protocol.min_observation_for(route)
    return ObservationClock(
        first_dose=min(times),
        last_dose=max(times),
        from_first_min=from_first,
        after_last_min=protocol.min_after_last_dose_min,
        ends_at=ends,
    )


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _min_observation(
    c: DischargeCriterion, clock: ObservationClock | None, at: datetime
) -> Criterion:
    if clock is None:
        return _judged(c, False, Wording(_NO_DOSE))
    detail = Wording(
        N_("{observed} observed of {required} required"),
        observed=minutes_span(_minutes(clock.first_dose, at)),
        required=minutes_span(clock.from_first_min, short_hours=True),
    )
    if clock.has_booster or clock.after_last_min > clock.from_first_min:
        which = Wording(N_("the last dose"))
        if clock.has_booster:
            which = Wording(
                N_("the last dose (+{minutes} min)"),
                minutes=_minutes(clock.first_dose, clock.last_dose),
            )
        detail = Wording(
            N_("{detail}; {since} since {which} of {required} required"),
            detail=detail,
            since=minutes_span(_minutes(clock.last_dose, at)),
            which=which,
            required=minutes_span(clock.after_last_min, short_hours=True),
        )
    return _judged(c, at >= clock.ends_at, detail)


_MEASURE_ORDER = {m: i for i, m in enumerate(MEASURES)}
_MEASURE_WORDS = {"BP": N_("BP"), "pulse": N_("pulse"), "SpO2": N_("SpO2")}


def _latest_values(taken: Sequence[ReadingFact]) -> list[tuple[ReadingFact, ValueFact]]:
    """Each value with the latest reading that measured it (a reading without
    ``values`` counts as measuring every value, judged by its band)."""
    latest: dict[str, tuple[ReadingFact, ValueFact]] = {}
    for r in sorted(taken, key=lambda r: ensure_utc(r.taken_at)):
        for v in r.values or tuple(ValueFact(m, r.band, r.text) for m in MEASURES):
            latest[v.measure] = (r, v)
    return sorted(latest.values(), key=lambda x: _MEASURE_ORDER.get(x[1].measure, 99))


def _vitals_acceptable(
    c: DischargeCriterion,
    clock: ObservationClock | None,
    readings: Sequence[ReadingFact],
    schedule: Sequence[DueItem],
    now: datetime,
) -> Criterion:
    if clock is None:
        return _judged(c, False, Wording(_NO_DOSE))
    first = clock.first_dose
    opens = next(
        (i.opens_at for i in schedule if i.anchor is Anchor.DISCHARGE and i.opens_at), None
    )
    if opens is None:  # a protocol without a pre-discharge reading: any post-dose one
        opens = first
    taken = [r for r in readings if (_recorded(r) or now) <= now]
    if not taken:
        return _judged(c, False, Wording(N_("No reading recorded.")))
    latest = sorted(taken, key=lambda r: ensure_utc(r.taken_at))[-1]  # as _latest_values

    def when(r: ReadingFact) -> Wording:
        after = _minutes(first, ensure_utc(r.taken_at))
        if after >= 0:
            return Wording(N_("{minutes} min after the first dose"), minutes=after)
        return Wording(N_("before the first dose"))

    what = Wording(N_("Latest reading {reading} ({when})"), reading=latest.text, when=when(latest))
    if ensure_utc(latest.taken_at) < opens:
        detail = N_(
            "{what} was taken before the pre-discharge check opened ({minutes} min after the "
            "first dose): take a pre-discharge reading."
        )
        return _judged(c, False, Wording(detail, what=what, minutes=_minutes(first, opens)))
    parts: list[Wording] = []
    if latest.band is not Band.NORMAL:
        parts.append(_is_band(what, latest.band, latest.protocol_label))
    parts += [  # a value the latest reading did not measure: its own latest reading judges it
        Wording(
            N_("{value} ({when}) is {band} ({protocol}) and no later reading measured {measure}"),
            value=v.text,
            when=when(r),
            band=band_word(v.band),
            protocol=r.protocol_label,
            measure=Wording(_MEASURE_WORDS.get(v.measure, v.measure)),
        )
        for r, v in _latest_values(taken)
        if r is not latest and v.band is not Band.NORMAL
    ]
    if parts:
        return _judged(c, False, Wording("{parts}.", parts=Wording.joined("; ", parts)))
    normal = N_("{what} is normal ({protocol}).")
    return _judged(c, True, Wording(normal, what=what, protocol=latest.protocol_label))


def _is_band(what: Wording, band: Band, protocol: str) -> Wording:
    text = N_("{what} is {band} ({protocol})")
    return Wording(text, what=what, band=band_word(band), protocol=protocol)


_OPEN_WORDS = (
    (ItemStatus.MISSED, N_("missed: {labels}")),
    (ItemStatus.OVERDUE, N_("overdue: {labels}")),
    (ItemStatus.DUE, N_("due now: {labels}")),
    (ItemStatus.UPCOMING, N_("not yet due: {labels}")),
)


def _readings_taken(
    c: DischargeCriterion, clock: ObservationClock | None, schedule: Sequence[DueItem]
) -> Criterion:
    if clock is None:
        return _judged(c, False, Wording(_NO_DOSE))
    if not schedule:
        return _judged(c, True, Wording(N_("The protocol asks for no reading.")))
    parts: list[Wording] = []
    for status, word in _OPEN_WORDS:
        labels = [i.label for i in schedule if i.status is status]
        if labels:
            parts.append(Wording(word, labels=Wording.joined(", ", labels)))
    if not parts:
        n = len(schedule)
        taken = Wording.later(
            lambda _, _n: _n(
                "All {n} required reading taken.", "All {n} required readings taken.", n
            )
        )
        return _judged(c, True, taken)
    text = Wording.joined("; ", parts)
    return _judged(c, False, Wording.derived(text, lambda t: t[:1].upper() + t[1:] + "."))


def unresolved_effects(
    effects: Sequence[EffectFact], at: datetime, now: datetime | None = None
) -> list[EffectFact]:
    """Effects present and not resolved by ``at``: the latest record of each effect
    recorded by ``at`` decides, and a record made after ``at`` (up to ``now``) that is
    present and not resolved by ``at`` makes the effect unresolved too (never clears it)."""
    at = ensure_utc(at)
    now = at if now is None else ensure_utc(now)

    def open_at(e: EffectFact) -> bool:
        return e.present and (e.resolved_at is None or ensure_utc(e.resolved_at) > at)

    latest: dict[str, EffectFact] = {}
    later: dict[str, EffectFact] = {}
    for e in effects:
        recorded = _recorded(e)
        if recorded is None or recorded <= at:
            latest[e.effect_id] = e
        elif recorded <= now:
            later[e.effect_id] = e
    out = {k: e for k, e in latest.items() if open_at(e)}
    for k, e in later.items():
        if open_at(e):
            out[k] = e
    return list(out.values())


def _effect(e: EffectFact) -> Wording:
    """'Nausea (grade 2 – moderate)': the protocol's label (the catalogue translates the
    presets') and the severity in lower case."""
    label = Wording.fixed(e.label, lambda: _(e.label))
    if not e.severity:
        return label
    try:
        severity = Wording.derived(Severity(e.severity).word, str.lower)
    except ValueError:
        severity = Wording.fixed(e.severity, lambda: e.severity or "")
    return Wording("{label} ({severity})", label=label, severity=severity)


def _side_effects_resolved(
    c: DischargeCriterion, effects: Sequence[EffectFact], at: datetime, now: datetime
) -> Criterion:
    open_ = unresolved_effects(effects, at, now)
    if open_:
        listed = Wording.joined(", ", [_effect(e) for e in open_])
        return _judged(c, False, Wording(N_("Not resolved: {effects}."), effects=listed))
    seen = [e for e in effects if (_recorded(e) or now) <= now]
    if any(e.present for e in seen):
        return _judged(c, True, Wording(N_("Every side effect present has resolved.")))
    if seen:
        return _judged(c, True, Wording(N_("No side effect present.")))
    return _judged(c, True, Wording(N_("No side effect recorded.")))


def evaluate_discharge(
    protocol: Protocol,
    *,
    route: Route | None,
    dose_times: Sequence[datetime],
    readings: Sequence[ReadingFact],
    schedule: Sequence[DueItem],
    side_effects: Sequence[EffectFact],
    answers: Mapping[str, object],
    at: datetime,
    now: datetime | None = None,
) -> tuple[Criterion, ...]:
    """Every discharge criterion of the protocol for a discharge at ``at``, in protocol
    order, on what was recorded up to ``now`` (the clock; None: ``at``).

    ``schedule`` is ``compute_schedule(...)`` for the session as of ``at``.
    """
    at = ensure_utc(at)
    now = at if now is None else max(ensure_utc(now), at)
    doses = [d for d in (ensure_utc(x) for x in dose_times) if d <= at]
    clock = observation_clock(protocol, route, doses)
    out: list[Criterion] = []
    for c in protocol.discharge:
        if c.computed == "min_observation":
            out.append(_min_observation(c, clock, at))
        elif c.computed == "vitals_acceptable":
            out.append(_vitals_acceptable(c, clock, readings, schedule, now))
        elif c.computed == "readings_taken":
            out.append(_readings_taken(c, clock, schedule))
        elif c.computed == "side_effects_resolved":
            out.append(_side_effects_resolved(c, side_effects, at, now))
        else:
            met = answers.get(c.id) is True
            detail = "" if met else Wording(N_("Not confirmed"))
            out.append(Criterion(c.id, label_of(c), False, met, detail))
    return tuple(out)


def unmet(criteria: Sequence[Criterion]) -> list[Criterion]:
    return [c for c in criteria if not c.met]


def criteria_count(n: int) -> str:
    """'1 criterion', '5 criteria'."""
    return _n("{n} criterion", "{n} criteria", n)


def criteria_summary(unmet_count: int, total: int, *, final: bool = False) -> str:
    """'All 5 criteria met', '1 criterion not met yet', '3 criteria not met yet';
    ``final`` (as recorded at discharge): '3 criteria not met'. No full stop."""
    if total == 0:
        return _("The protocol lists no discharge criteria")
    if unmet_count == 0:
        return _n("The {n} criterion met", "All {n} criteria met", total)
    if final:
        return _n("{n} criterion not met", "{n} criteria not met", unmet_count)
    return _n("{n} criterion not met yet", "{n} criteria not met yet", unmet_count)


def unmet_text(criteria: Sequence[Criterion]) -> Wording:
    """'Steady on feet (Not confirmed); Minimum observation time passed (1 h 10 min ...)'
    (the audit log keeps it in a refusal: English there, translated where shown)."""
    return Wording.joined(
        "; ",
        [
            Wording(
                "{label} {detail}",
                label=c.label,
                detail=Wording.derived(c.detail, in_brackets),
            )
            if c.detail
            else c.label
            for c in criteria
        ],
    )
