from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from kapdesk.domain.errors import IllegalTransition, ValidationError
from kapdesk.domain.session_state import (
    EVENT_TABLE,
    TRANSITIONS,
    SessionEvent,
    SessionState,
    allowed_targets,
    events_allowed,
    has_been_dosed,
    is_active,
    is_terminal,
    state_after_event,
    transition,
)

S = SessionState
E = SessionEvent

# Every (from, to) pair, written out by hand: Y = legal, . = illegal.
ABBREVIATIONS = {
    "sch": "scheduled",
    "chk": "checked_in",
    "pre": "pre_dose_vitals",
    "dos": "dosed",
    "mon": "monitoring",
    "dis": "discharged",
    "can": "cancelled",
    "wdh": "dose_withheld",
}
GRID = """
from/to  sch chk pre dos mon dis can wdh
sch       .   Y   .   .   .   .   Y   .
chk       .   .   Y   .   .   .   Y   Y
pre       .   .   .   Y   .   .   Y   Y
dos       .   .   .   .   Y   .   .   .
mon       .   .   .   .   .   Y   .   .
dis       .   .   .   .   .   .   .   .
can       .   .   .   .   .   .   .   .
wdh       .   .   .   .   .   .   .   .
"""


def _parse_grid() -> dict[tuple[str, str], bool]:
    lines = [line.split() for line in GRID.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    table = {}
    for row in rows:
        source, marks = row[0], row[1:]
        assert len(marks) == len(header)
        for target, mark in zip(header, marks, strict=True):
            assert mark in ("Y", ".")
            table[(ABBREVIATIONS[source], ABBREVIATIONS[target])] = mark == "Y"
    return table


EXPECTED = _parse_grid()
ALL_PAIRS = sorted(EXPECTED)


def test_grid_covers_all_64_pairs() -> None:
    assert len(EXPECTED) == 64
    assert {s for s, _ in EXPECTED} == {s.value for s in SessionState}


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_every_pair(source: str, target: str) -> None:
    legal = EXPECTED[(source, target)]
    assert (S(target) in allowed_targets(S(source))) is legal
    if legal:
        assert transition(S(source), S(target), reason="patient unwell") is S(target)
    else:
        with pytest.raises(IllegalTransition) as info:
            transition(S(source), S(target), reason="patient unwell")
        assert info.value.current == source
        assert info.value.target == target
        assert str(info.value).startswith(f"A session that is {S(source).label} cannot become ")


def test_illegal_transition_messages_read_as_sentences() -> None:
    with pytest.raises(IllegalTransition) as info:
        transition(S.CHECKED_IN, S.DOSED)
    assert str(info.value) == (
        "A session that is checked in cannot become dosed; it can only become "
        "taking pre-dose vitals or cancelled or dose withheld."
    )
    with pytest.raises(IllegalTransition) as info:
        transition(S.DISCHARGED, S.MONITORING)
    assert str(info.value) == (
        "A session that is discharged cannot become in monitoring; "
        "it is finished and cannot change any more."
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.SCHEDULED, S.CANCELLED),
        (S.CHECKED_IN, S.CANCELLED),
        (S.PRE_DOSE_VITALS, S.CANCELLED),
        (S.CHECKED_IN, S.DOSE_WITHHELD),
        (S.PRE_DOSE_VITALS, S.DOSE_WITHHELD),
    ],
)
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_cancel_and_withhold_need_a_reason(
    source: SessionState, target: SessionState, reason: str | None
) -> None:
    with pytest.raises(ValidationError) as info:
        transition(source, target, reason=reason)
    assert info.value.field == "Reason"
    assert "needs a reason" in info.value.message


def test_reason_is_optional_elsewhere() -> None:
    assert transition(S.SCHEDULED, S.CHECKED_IN) is S.CHECKED_IN
    assert transition(S.MONITORING, S.DISCHARGED, reason=None) is S.DISCHARGED


def test_strings_are_accepted() -> None:
    assert transition("scheduled", "checked_in") is S.CHECKED_IN  # type: ignore[arg-type]


def test_terminal_and_active() -> None:
    assert {s for s in S if is_terminal(s)} == {S.DISCHARGED, S.CANCELLED, S.DOSE_WITHHELD}
    assert {s for s in S if is_active(s)} == {
        S.CHECKED_IN,
        S.PRE_DOSE_VITALS,
        S.DOSED,
        S.MONITORING,
    }
    assert {s for s in S if has_been_dosed(s)} == {S.DOSED, S.MONITORING, S.DISCHARGED}


# ------------------------------------------------------------------- events

# Every legal (state, event) and where it leads, by hand; everything else is illegal.
EXPECTED_EVENTS: dict[tuple[SessionState, SessionEvent], SessionState] = {
    (S.SCHEDULED, E.CHECK_IN): S.CHECKED_IN,
    (S.SCHEDULED, E.CANCELLED): S.CANCELLED,
    (S.CHECKED_IN, E.PRE_DOSE_READING_RECORDED): S.PRE_DOSE_VITALS,
    (S.CHECKED_IN, E.CANCELLED): S.CANCELLED,
    (S.CHECKED_IN, E.WITHHELD): S.DOSE_WITHHELD,
    (S.PRE_DOSE_VITALS, E.PRE_DOSE_READING_RECORDED): S.PRE_DOSE_VITALS,  # recheck
    (S.PRE_DOSE_VITALS, E.DOSE_GIVEN): S.DOSED,
    (S.PRE_DOSE_VITALS, E.CANCELLED): S.CANCELLED,
    (S.PRE_DOSE_VITALS, E.WITHHELD): S.DOSE_WITHHELD,
    (S.DOSED, E.DOSE_GIVEN): S.DOSED,  # booster / next device
    (S.DOSED, E.MONITORING_STARTED): S.MONITORING,
    (S.MONITORING, E.DOSE_GIVEN): S.MONITORING,  # booster keeps monitoring
    (S.MONITORING, E.DISCHARGED): S.DISCHARGED,
}

ALL_STATE_EVENTS = [(s, e) for s in S for e in E]


@pytest.mark.parametrize(("state", "event"), ALL_STATE_EVENTS)
def test_every_state_event_pair(state: SessionState, event: SessionEvent) -> None:
    expected = EXPECTED_EVENTS.get((state, event))
    assert (event in events_allowed(state)) is (expected is not None)
    if expected is None:
        with pytest.raises(IllegalTransition) as info:
            state_after_event(state, event, reason="because")
        assert str(info.value) == f"Cannot {event.label} for a session that is {state.label}."
    else:
        assert state_after_event(state, event, reason="because") is expected


def test_event_table_agrees_with_transitions() -> None:
    for (state, _event), target in EVENT_TABLE.items():
        assert target == state or target in TRANSITIONS[state]
    moves = {(s, t) for (s, _e), t in EVENT_TABLE.items() if s != t}
    assert moves == {(s, t) for s, targets in TRANSITIONS.items() for t in targets}


def test_withhold_event_needs_a_reason() -> None:
    with pytest.raises(ValidationError):
        state_after_event(S.PRE_DOSE_VITALS, E.WITHHELD, reason=" ")
    assert state_after_event(S.PRE_DOSE_VITALS, E.WITHHELD, reason="BP 190/115") is (
        S.DOSE_WITHHELD
    )


def test_the_happy_path_with_a_recheck_and_a_booster() -> None:
    state = S.SCHEDULED
    for event in [
        E.CHECK_IN,
        E.PRE_DOSE_READING_RECORDED,
        E.PRE_DOSE_READING_RECORDED,
        E.DOSE_GIVEN,
        E.MONITORING_STARTED,
        E.DOSE_GIVEN,
        E.DISCHARGED,
    ]:
        state = state_after_event(state, event)
    assert state is S.DISCHARGED


# --------------------------------------------------------- random walks

HAPPY_ORDER = [S.SCHEDULED, S.CHECKED_IN, S.PRE_DOSE_VITALS, S.DOSED, S.MONITORING, S.DISCHARGED]
REASONS = st.one_of(st.none(), st.sampled_from(["", "  ", "\t"]), st.text(min_size=1, max_size=20))


class SessionWalk(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = S.SCHEDULED
        self.history: list[SessionState] = [self.state]

    def _apply(self, target: SessionState) -> None:
        if target != self.state:
            self.history.append(target)
        self.state = target

    @rule(event=st.sampled_from(list(E)), reason=REASONS)
    def fire_event(self, event: SessionEvent, reason: str | None) -> None:
        before = self.state
        expected = EXPECTED_EVENTS.get((before, event))
        blank = not (reason or "").strip()
        if expected is None:
            with pytest.raises(IllegalTransition):
                state_after_event(before, event, reason=reason)
        elif expected in (S.CANCELLED, S.DOSE_WITHHELD) and blank:
            with pytest.raises(ValidationError) as info:
                state_after_event(before, event, reason=reason)
            assert info.value.field == "Reason"
        else:
            assert state_after_event(before, event, reason=reason) is expected
            self._apply(expected)

    @rule(wanted=st.sampled_from(list(S)), reason=REASONS)
    def jump(self, wanted: SessionState, reason: str | None) -> None:
        before = self.state
        blank = not (reason or "").strip()
        if not EXPECTED[(before.value, wanted.value)]:
            with pytest.raises(IllegalTransition):
                transition(before, wanted, reason=reason)
        elif wanted in (S.CANCELLED, S.DOSE_WITHHELD) and blank:
            with pytest.raises(ValidationError) as info:
                transition(before, wanted, reason=reason)
            assert info.value.field == "Reason"
        else:
            assert transition(before, wanted, reason=reason) is wanted
            self._apply(wanted)

    @invariant()
    def terminal_states_absorb(self) -> None:
        for i, state in enumerate(self.history):
            if is_terminal(state):
                assert i == len(self.history) - 1
                assert allowed_targets(state) == frozenset()
                assert events_allowed(state) == frozenset()

    @invariant()
    def never_moves_backwards_or_skips_a_step(self) -> None:
        steps = [s for s in self.history if s in HAPPY_ORDER]
        assert steps == HAPPY_ORDER[: len(steps)]

    @invariant()
    def a_dosed_session_is_never_cancelled_or_withheld(self) -> None:
        if any(has_been_dosed(s) for s in self.history):
            assert self.state not in (S.CANCELLED, S.DOSE_WITHHELD)

    @invariant()
    def active_and_terminal_are_disjoint(self) -> None:
        assert not (is_active(self.state) and is_terminal(self.state))


SessionWalk.TestCase.settings = settings(max_examples=200, stateful_step_count=30)
TestSessionWalk = SessionWalk.TestCase
