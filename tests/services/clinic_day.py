"""A simulated clinic day for the Today board: sessions, a plan of what staff do, and an
independent expectation of which readings each protocol asks for.

The expectation is worked out here from the protocol *data* (schedule windows,
repeats, conditions, recheck intervals), not by calling the schedule module, so
the board service is checked against a second reading of the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from kapdesk.domain.protocol import Anchor, Protocol

DAY = datetime(2026, 3, 2, 7, 50, tzinfo=UTC)  # the clock starts here
OPENS = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # first check-in


@dataclass(frozen=True)
class Dose:
    at_min: int  # minutes after the first dose (0: the first dose)
    medication: str
    route: str
    amount: float
    unit: str


@dataclass
class Plan:
    """One session of the day and what happens in it."""

    key: str
    protocol_id: str
    room: str
    check_in: datetime
    doses: tuple[Dose, ...]
    alert_reading_at: int | None = None  # minute after the first dose: 212/126
    skip_window_opening_at: int | None = None  # the reading of this window is never taken
    early_discharge_at: int | None = None  # a nurse tries to discharge at this minute
    # filled in by the run
    session_id: int = 0
    first_dose: datetime | None = None
    discharged: datetime | None = None
    readings: list[datetime] = field(default_factory=list)
    alert_recorded: datetime | None = None
    alert_cleared: datetime | None = None

    @property
    def dose_at(self) -> datetime:
        return self.check_in + timedelta(minutes=6)


def _im(amount: float = 0.5) -> Dose:
    return Dose(0, "racemic ketamine", "im", amount, "mg/kg")


def _devices(at: int) -> Dose:
    return Dose(at, "esketamine", "intranasal", 1, "device")


def _iv() -> Dose:
    return Dose(0, "racemic ketamine", "iv", 0.5, "mg/kg")


def _sl() -> Dose:
    return Dose(0, "racemic ketamine", "sublingual", 200, "mg")


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


def day_plan() -> list[Plan]:
    """Fourteen sessions in seven rooms over the four shipped protocols."""
    return [
        Plan("A", "kap-default", "Room 1", at(8, 0), (_im(),)),
        # a booster 75 min after the first dose: discharge waits for 60 min after it
        Plan(
            "B", "kap-default", "Room 2", at(8, 10),
            (_im(), Dose(75, "racemic ketamine", "im", 0.25, "mg/kg")),
            early_discharge_at=125,
        ),
        Plan("C", "spravato-rems", "Room 3", at(8, 20), (_devices(0), _devices(5))),
        # the 30-min infusion reading is never taken: overdue, then missed
        Plan("D", "iv-infusion", "Room 4", at(8, 30), (_iv(),), skip_window_opening_at=30),
        Plan("E", "sublingual-kap", "Room 5", at(8, 40), (_sl(),)),
        Plan("F", "kap-default", "Room 6", at(9, 0), (Dose(0, "racemic ketamine", "sublingual",
                                                           300, "mg"),)),
        Plan("G", "kap-default", "Room 7", at(9, 30), (Dose(0, "racemic ketamine", "sc", 0.5,
                                                           "mg/kg"),)),
        # the 20-30 min reading is 212/126: an alert the board must show that minute
        Plan("H", "kap-default", "Room 1", at(10, 45), (_im(),), alert_reading_at=21),
        Plan("I", "spravato-rems", "Room 3", at(10, 50), (_devices(0), _devices(6))),
        Plan("J", "kap-default", "Room 2", at(11, 0), (_im(0.4),)),
        Plan("K", "sublingual-kap", "Room 5", at(11, 45), (_sl(),)),
        Plan("L", "iv-infusion", "Room 4", at(11, 20), (_iv(),)),
        Plan("M", "spravato-rems", "Room 6", at(12, 0), (_devices(0), _devices(5))),
        Plan("N", "sublingual-kap", "Room 7", at(12, 15), (_sl(),)),
    ]  # fmt: skip


@dataclass(frozen=True)
class Window:
    """A reading the protocol asks for after dosing, as this module reads the protocol."""

    name: str
    opens: datetime
    closes: datetime


def expected_windows(
    protocol: Protocol,
    dose_times: list[datetime],
    *,
    first_session: bool,
    alert_at: datetime | None = None,
) -> list[Window]:
    """Timed readings after dosing (not the pre-dose or discharge readings)."""
    out: list[Window] = []
    first = min(dose_times)
    for spec in protocol.schedule:
        if spec.anchor not in (Anchor.FIRST_DOSE, Anchor.EACH_DOSE):
            continue
        when = getattr(spec, "when", ())
        if when and not (first_session and "first_session" in when):
            continue
        anchors = [first] if spec.anchor is Anchor.FIRST_DOSE else sorted(dose_times)
        for n, anchor in enumerate(anchors, start=1):
            for k in range(spec.repeat_count):
                offset = k * spec.repeat_every_min
                out.append(
                    Window(
                        f"{spec.id}@{spec.from_min + offset}#{n}",
                        anchor + timedelta(minutes=spec.from_min + offset),
                        anchor + timedelta(minutes=spec.to_min + offset),
                    )
                )
    if alert_at is not None:
        rule = next(r for r in protocol.vital_rules if r.id == "post-dose-alert")
        assert rule.repeat_after_min is not None
        opens = alert_at + timedelta(minutes=rule.repeat_after_min)
        window = int(getattr(protocol, "recheck_window_min", 5))
        out.append(Window("recheck", opens, opens + timedelta(minutes=window)))
    return sorted(out, key=lambda w: w.opens)


def birth(n: int) -> date:
    return date(1960 + n, 1 + n % 12, 1 + n)
