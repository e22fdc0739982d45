"""The dosing-session state machine.

    scheduled -> checked_in -> pre_dose_vitals -> dosed -> monitoring -> discharged
    scheduled | checked_in | pre_dose_vitals -> cancelled        (reason required)
    checked_in | pre_dose_vitals            -> dose_withheld    (reason required)

Decisions a caller must know:

* Once a dose is given the session can no longer be cancelled or withheld: the
  patient must be monitored and discharged (an emergency transfer is a
  discharge, documented in the session note).
* Discharged, cancelled and dose withheld are terminal: nothing leaves them.
* A transition to the same state is not a transition and is refused; repeated
  things that do not move the session (a pre-dose recheck, a booster dose) are
  *events* (see ``state_after_event``) that keep the state. Boosters keep the
  session in ``dosed`` or ``monitoring``.
* A missing or blank reason for cancelled / dose withheld is a ValidationError
  on the field "Reason" (the user fixes the input); a move the machine does not
  allow is an IllegalTransition.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from kapdesk.domain.errors import IllegalTransition, ValidationError
from kapdesk.i18n import N_, _


class SessionState(StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    PRE_DOSE_VITALS = "pre_dose_vitals"
    DOSED = "dosed"
    MONITORING = "monitoring"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"
    DOSE_WITHHELD = "dose_withheld"

    @property
    def label(self) -> str:
        """How the state reads in a sentence: 'a session that is <label>'."""
        return _(STATE_LABELS[self])


# The one word for each state, on every screen and in every PDF (issue 12): the board,
# the session header, the chart, the handover and the summaries all read it from here.
STATE_LABELS: Mapping[SessionState, str] = MappingProxyType(
    {
        SessionState.SCHEDULED: N_("scheduled"),
        SessionState.CHECKED_IN: N_("checked in"),
        SessionState.PRE_DOSE_VITALS: N_("taking pre-dose vitals"),
        SessionState.DOSED: N_("dosed"),
        SessionState.MONITORING: N_("in monitoring"),
        SessionState.DISCHARGED: N_("discharged"),
        SessionState.CANCELLED: N_("cancelled"),
        SessionState.DOSE_WITHHELD: N_("dose withheld"),
    }
)


def state_label(state: str) -> str:
    """The word for a stored state ('in monitoring'); a value kapdesk does not know is
    shown as written, underscores as spaces."""
    try:
        return _(STATE_LABELS[SessionState(state)])
    except ValueError:
        return state.replace("_", " ")


def state_title(state: str) -> str:
    """:func:`state_label` capitalised: 'In monitoring', 'Dose withheld'."""
    label = state_label(state)
    return label[:1].upper() + label[1:]


_S = SessionState
TRANSITIONS: Mapping[SessionState, frozenset[SessionState]] = MappingProxyType(
    {
        _S.SCHEDULED: frozenset({_S.CHECKED_IN, _S.CANCELLED}),
        _S.CHECKED_IN: frozenset({_S.PRE_DOSE_VITALS, _S.CANCELLED, _S.DOSE_WITHHELD}),
        _S.PRE_DOSE_VITALS: frozenset({_S.DOSED, _S.CANCELLED, _S.DOSE_WITHHELD}),
        _S.DOSED: frozenset({_S.MONITORING}),
        _S.MONITORING: frozenset({_S.DISCHARGED}),
        _S.DISCHARGED: frozenset(),
        _S.CANCELLED: frozenset(),
        _S.DOSE_WITHHELD: frozenset(),
    }
)

REASON_REQUIRED: frozenset[SessionState] = frozenset({_S.CANCELLED, _S.DOSE_WITHHELD})
TERMINAL: frozenset[SessionState] = frozenset(s for s, t in TRANSITIONS.items() if not t)
# Running sessions, shown on the Today board.
ACTIVE: frozenset[SessionState] = frozenset(
    {_S.CHECKED_IN, _S.PRE_DOSE_VITALS, _S.DOSED, _S.MONITORING}
)
# The patient has had ketamine in this session.
DOSE_GIVEN_STATES: frozenset[SessionState] = frozenset({_S.DOSED, _S.MONITORING, _S.DISCHARGED})


def allowed_targets(state: SessionState) -> frozenset[SessionState]:
    return TRANSITIONS[SessionState(state)]


def is_terminal(state: SessionState) -> bool:
    return SessionState(state) in TERMINAL


def is_active(state: SessionState) -> bool:
    return SessionState(state) in ACTIVE


def has_been_dosed(state: SessionState) -> bool:
    return SessionState(state) in DOSE_GIVEN_STATES


def _reason_needed(target: SessionState, reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        if target is _S.CANCELLED:
            message = _("Cancelling a session needs a reason; none was given.")
        else:
            message = _("Withholding a dose needs a reason; none was given.")
        raise ValidationError("Reason", reason, message)
    return text


def _illegal(current: SessionState, target: SessionState) -> IllegalTransition:
    options = sorted(TRANSITIONS[current], key=list(SessionState).index)
    if options:
        hint = _("it can only become {states}.", states=_(" or ").join(s.label for s in options))
    else:
        hint = _("it is finished and cannot change any more.")
    return IllegalTransition(
        current.value,
        target.value,
        _(
            "A session that is {state} cannot become {target}; {hint}",
            state=current.label,
            target=target.label,
            hint=hint,
        ),
    )


def transition(
    current: SessionState, target: SessionState, *, reason: str | None = None
) -> SessionState:
    """Return ``target`` if the move is allowed, else raise IllegalTransition.

    Cancelled and dose withheld need a non-blank reason (ValidationError); a
    reason given for any other move is ignored here (services may keep it).
    """
    current, target = SessionState(current), SessionState(target)
    if target not in TRANSITIONS[current]:
        raise _illegal(current, target)
    if target in REASON_REQUIRED:
        _reason_needed(target, reason)
    return target


class SessionEvent(StrEnum):
    CHECK_IN = "check_in"
    PRE_DOSE_READING_RECORDED = "pre_dose_reading_recorded"
    DOSE_GIVEN = "dose_given"
    MONITORING_STARTED = "monitoring_started"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"
    WITHHELD = "withheld"

    @property
    def label(self) -> str:
        """Completes 'Cannot ...' in the active language."""
        return _(EVENT_LABELS[self])


EVENT_LABELS: Mapping[SessionEvent, str] = MappingProxyType(
    {
        SessionEvent.CHECK_IN: N_("check the patient in"),
        SessionEvent.PRE_DOSE_READING_RECORDED: N_("record a pre-dose reading"),
        SessionEvent.DOSE_GIVEN: N_("record a dose"),
        SessionEvent.MONITORING_STARTED: N_("start monitoring"),
        SessionEvent.DISCHARGED: N_("discharge the patient"),
        SessionEvent.CANCELLED: N_("cancel the session"),
        SessionEvent.WITHHELD: N_("withhold the dose"),
    }
)

_E = SessionEvent
# (state, event) -> next state. Pairs that keep the state are repeats that are
# part of normal care: a pre-dose recheck after rest, a booster dose.
EVENT_TABLE: Mapping[tuple[SessionState, SessionEvent], SessionState] = MappingProxyType(
    {
        (_S.SCHEDULED, _E.CHECK_IN): _S.CHECKED_IN,
        (_S.CHECKED_IN, _E.PRE_DOSE_READING_RECORDED): _S.PRE_DOSE_VITALS,
        (_S.PRE_DOSE_VITALS, _E.PRE_DOSE_READING_RECORDED): _S.PRE_DOSE_VITALS,
        (_S.PRE_DOSE_VITALS, _E.DOSE_GIVEN): _S.DOSED,
        (_S.DOSED, _E.DOSE_GIVEN): _S.DOSED,
        (_S.MONITORING, _E.DOSE_GIVEN): _S.MONITORING,
        (_S.DOSED, _E.MONITORING_STARTED): _S.MONITORING,
        (_S.MONITORING, _E.DISCHARGED): _S.DISCHARGED,
        (_S.SCHEDULED, _E.CANCELLED): _S.CANCELLED,
        (_S.CHECKED_IN, _E.CANCELLED): _S.CANCELLED,
        (_S.PRE_DOSE_VITALS, _E.CANCELLED): _S.CANCELLED,
        (_S.CHECKED_IN, _E.WITHHELD): _S.DOSE_WITHHELD,
        (_S.PRE_DOSE_VITALS, _E.WITHHELD): _S.DOSE_WITHHELD,
    }
)


def events_allowed(state: SessionState) -> frozenset[SessionEvent]:
    state = SessionState(state)
    return frozenset(e for (s, e) in EVENT_TABLE if s is state)


def state_after_event(
    state: SessionState, event: SessionEvent, *, reason: str | None = None
) -> SessionState:
    """The state a session is in after ``event``; raises IllegalTransition if not allowed.

    ``cancelled`` and ``withheld`` need a non-blank reason (ValidationError).
    """
    state, event = SessionState(state), SessionEvent(event)
    try:
        target = EVENT_TABLE[(state, event)]
    except KeyError:
        raise IllegalTransition(
            state.value,
            event.value,
            _(
                "Cannot {action} for a session that is {state}.",
                action=event.label,
                state=state.label,
            ),
        ) from None
    if target == state:
        return state
    return transition(state, target, reason=reason)
