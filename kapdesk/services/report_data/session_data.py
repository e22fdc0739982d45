"""Assemble a SessionReport from service dtos: a pure step (no reportlab, no database).

``build_session_report(detail, protocol, print_ctx, extras)`` takes what
``SessionService.detail`` returns plus the few facts the detail lacks (who
discharged, staff roles, signatures; see :class:`SessionExtras`), and returns
display-ready rows. The renderer adds nothing clinical.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

from kapdesk.domain import timetext
from kapdesk.domain.corrections import standing_entries as standing_results
from kapdesk.domain.discharge import criteria_summary
from kapdesk.domain.discharge_record import against_criteria_text, discharged_against_criteria
from kapdesk.domain.notes import INTEGRATION_SECTIONS
from kapdesk.domain.protocol import Protocol
from kapdesk.domain.session_state import SessionState, state_label
from kapdesk.domain.wording import shown
from kapdesk.i18n import N_, _, _n
from kapdesk.i18n import formats as locale_formats
from kapdesk.services.alerts import AcknowledgementInfo
from kapdesk.services.dtos import SessionInfo
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.bp_chart_data import bp_chart
from kapdesk.services.report_data.header import page_header
from kapdesk.services.report_data.marks import counting
from kapdesk.services.report_data.model import PrintContext, Table
from kapdesk.services.report_data.session_model import (
    Discharge,
    NoteBlock,
    SessionReport,
    Signature,
)
from kapdesk.services.report_data.session_tables import (
    acknowledged_alerts_table,
    doses_table,
    observations_table,
    overrides_table,
    schedule_table,
    side_effects_table,
    vitals_table,
)
from kapdesk.services.report_data.words import note_status, role_label, signature_word
from kapdesk.services.screen_dtos import AddendumInfo, NoteInfo, SessionDetail, SignatureInfo

__all__ = ["SessionExtras", "SessionReport", "build_session_report", "page_header"]

NOT_SIGNED = N_(
    "NOT SIGNED – this session record has not been reviewed and signed. "
    "It is a working copy, not the signed record."
)


@dataclass(frozen=True)
class SessionExtras:
    """Facts for the summary that ``SessionDetail`` does not carry."""

    discharged_by: str | None = None
    staff_roles: Mapping[str, str] = field(default_factory=dict)  # full name -> role
    # (full name, what they did) from the session's audit trail, e.g. ("A. Nurse", "check-in")
    session_steps: tuple[tuple[str, str], ...] = ()
    session_signature: SignatureInfo | None = None
    note_signatures: Mapping[int, SignatureInfo] = field(default_factory=dict)  # note id ->
    # (what it amends, e.g. "Session #12", the addendum), oldest first
    addenda: tuple[tuple[str, AddendumInfo], ...] = ()
    acknowledgements: tuple[AcknowledgementInfo, ...] = ()  # alerts a clinician acknowledged


def _state(state: str) -> SessionState | None:
    try:
        return SessionState(state)
    except ValueError:
        return None


def _protocol_text(d: SessionDetail, protocol: Protocol | None) -> str:
    """'kap-default v1.0 – title (pinned; content SHA-256 87c6ef03e3a6)': the version that
    judged the session, with the hash of its exact text when the course pinned it."""
    s, c = d.session, d.course
    title = f" – {_(c.protocol_title)}" if c.protocol_title else ""
    text = f"{s.protocol_id} v{s.protocol_version}{title}"
    if (
        protocol is not None
        and protocol.sha256
        and (protocol.id, protocol.version) == (s.protocol_id, s.protocol_version)
    ):
        text += _(" (pinned; content SHA-256 {fingerprint})", fingerprint=protocol.fingerprint)
    return text


def _facts(
    d: SessionDetail, signed: bool, tz: tzinfo | None, protocol: Protocol | None = None
) -> list[tuple[str, str]]:
    s, c, p = d.session, d.course, d.patient
    weekday = fmt.local(s.first_dose_at or s.checked_in_at or s.scheduled_at, tz)
    if s.weight_kg is not None:
        weight = _("{kg} kg (weighed for this session)", kg=fmt.number(s.weight_kg))
    elif p.weight_kg is not None:
        weight = _(
            "Not recorded for this session (usual weight {kg} kg)", kg=fmt.number(p.weight_kg)
        )
    else:
        weight = _("Not recorded")
    ended = _(", ended {day}", day=fmt.day(c.ended_on)) if c.ended_on else ""
    times = _(
        "scheduled {scheduled} · checked in {checked_in} · first dose {first_dose} · "
        "discharged {discharged}",
        scheduled=fmt.hm(s.scheduled_at, tz),
        checked_in=fmt.hm(s.checked_in_at, tz),
        first_dose=fmt.hm(s.first_dose_at, tz),
        discharged=fmt.hm(s.discharged_at, tz),
    )
    sessions = _n("{n} dosing session", "{n} dosing sessions", c.session_count)
    signed_text = _("signed") if signed else _("not signed")
    date_text = f"{locale_formats.long_date(weekday)} ({locale_formats.weekday(weekday)})"
    course = _(
        "#{id}, started {day}{ended}; {sessions}",
        id=c.id,
        day=fmt.day(c.started_on),
        ended=ended,
        sessions=sessions,
    )
    return [
        (
            _("Session"),
            _(
                "#{id} · {state} · {signed}",
                id=s.id,
                state=state_label(s.state),
                signed=signed_text,
            ),
        ),
        (_("Date"), date_text),
        (_("Room"), s.room or fmt.NONE_TEXT),
        (_("Route"), fmt.route_label(d.route) if d.doses else _("No dose given")),
        (_("Weight"), weight),
        (_("Protocol"), _protocol_text(d, protocol)),
        (_("Course"), course),
        (_("Times"), times),
        (_("Allergies"), p.allergies or _("None recorded")),
        (_("Contraindications"), p.contraindications or _("None recorded")),
    ]


def _staff(d: SessionDetail, extras: SessionExtras) -> Table:
    did: dict[str, list[str]] = {}

    def add(name: str | None, what: str) -> None:
        if name and what not in did.setdefault(name, []):
            did[name].append(what)

    for name, step in extras.session_steps:
        add(name, _(step))
    for r in d.readings:
        add(r.recorded_by, _("vital signs"))
    # A dose marked entered in error was not given: its giver's part is left out.
    for x in standing_results(d.doses):
        add(x.given_by, _("gave the dose") if not x.is_booster else _("gave a booster"))
        if x.recorded_by != x.given_by:
            add(x.recorded_by, _("recorded a dose"))
        add(x.confirmed_by, _("confirmed a dose over the maximum"))
    for o in d.overrides:
        add(o.recorded_by, _("recorded the override by {name}", name=o.prescriber_name))
    for a in extras.acknowledgements:
        add(a.acknowledged_by, _("acknowledged an alert"))
    for e in d.side_effects:
        add(e.recorded_by, _("side effects"))
    for ob in d.observations:
        add(ob.recorded_by, _("observations"))
    for n in d.notes:
        add(n.author, _("session note") if n.kind == "session" else _("integration note"))
    add(extras.discharged_by, _("discharge"))
    marks = [
        *(r.error for r in d.readings),
        *(x.error for x in d.doses),
        *(e.error for e in d.side_effects),
        *(o.error for o in d.observations),
    ]
    for mark in marks:
        if mark is not None:
            add(mark.by_name, _("marked an entry entered in error"))
    rows = tuple(
        (name, role_label(extras.staff_roles.get(name, fmt.NONE_TEXT)), ", ".join(what))
        for name, what in did.items()
    )
    return Table(
        (_("Name"), _("Role"), _("Part in this session")),
        rows,
        empty_text=_("No staff recorded."),
    )


def _checklist(d: SessionDetail, protocol: Protocol | None) -> Table:
    answers = d.session.checklist
    rows: list[tuple[str, str]] = []
    items = protocol.checklist if protocol else ()
    route = d.route
    for item in items:
        if item.routes and (route is None or route not in item.routes):
            continue
        value = answers.get(item.id)
        if value is None:
            text = _("Not answered")
        elif isinstance(value, bool):
            text = fmt.yes_no(value)
        else:
            text = f"{fmt.number(float(value))} {item.unit}".strip()
        rows.append((item.shown_label(), text))
    known = {i.id for i in items}
    for key, value in answers.items():
        if key not in known:
            shown = fmt.yes_no(value) if isinstance(value, bool) else str(value)
            rows.append((key, shown))
    marks = tuple("bad" if r[1] in (_("No"), _("Not answered")) else "" for r in rows)
    return Table(
        (_("Item"), _("Answer")),
        tuple(rows),
        empty_text=_("No checklist answers recorded."),
        row_marks=marks,
    )


def _sentence(value: str | None, default: str) -> str:
    """The text as a sentence ending in one full stop."""
    return (value or default).strip().rstrip(".") + "."


def _discharge(d: SessionDetail, extras: SessionExtras, tz: tzinfo | None) -> Discharge:
    s = d.session
    state = _state(s.state)
    no_reason = _("no reason given")
    rows = tuple(
        (shown(c.label), _("Met") if c.met else _("Not met"), shown(c.detail) or fmt.NONE_TEXT)
        for c in d.discharge_checks
    )
    checks = Table(
        (_("Criterion"), _("Status"), _("Detail")),
        rows,
        empty_text=_("The protocol lists no discharge criteria."),
        row_marks=tuple("" if c.met else "bad" for c in d.discharge_checks),
    )
    unmet = sum(1 for c in d.discharge_checks if not c.met)
    if state is SessionState.DISCHARGED:
        who = extras.discharged_by or _("unknown")
        against = discharged_against_criteria(s.discharge_criteria, s.discharge_reason)
        total = len(d.discharge_checks)
        met = _("all criteria met") if not unmet else criteria_summary(unmet, total, final=True)
        status = _(
            "Discharged at {when} by {who}; {met}.",
            when=fmt.day_hm(s.discharged_at, tz),
            who=who,
            met=met,
        )
        if against:
            status = f"{_sentence(against_criteria_text(s.discharge_reason), '')} {status}"
        if s.first_dose_at and s.discharged_at:
            observed = timetext.duration(s.discharged_at - s.first_dose_at)
            status += _(" Observed {observed} after dose.", observed=observed)
        return Discharge(status, checks, s.discharge_reason or "", against_criteria=against)
    if state is SessionState.CANCELLED:
        return Discharge(
            _(
                "Session cancelled before dosing: {reason} No discharge was needed.",
                reason=_sentence(s.state_reason, no_reason),
            ),
            Table(checks.columns, (), empty_text=_("Not applicable: no dose was given.")),
        )
    if state is SessionState.DOSE_WITHHELD:
        return Discharge(
            _(
                "Dose withheld: {reason} No discharge was needed.",
                reason=_sentence(s.state_reason, no_reason),
            ),
            Table(checks.columns, (), empty_text=_("Not applicable: no dose was given.")),
        )
    return Discharge(
        _(
            "Not discharged yet (the session is {state}). Criteria as of printing:",
            state=state_label(s.state),
        ),
        checks,
    )


def _paragraph_parts(heading: str, text: str) -> list[tuple[str, str]]:
    return [(heading, text)] if text.strip() else []


def signature(sig: SignatureInfo, what: str, tz: tzinfo | None) -> Signature:
    return Signature(
        what=what,
        name=sig.signer_name,
        role=role_label(sig.signer_role),
        signed_at=fmt.stamp(sig.signed_at, tz),
        meaning=signature_word(sig.meaning),
        method=signature_word(sig.method),
        content_sha256=sig.content_sha256,
    )


def _signed_text(sig: SignatureInfo | None, tz: tzinfo | None) -> str:
    if sig is None:
        return _("not signed")
    return _(
        "{meaning} by {name} on {when}",
        meaning=signature_word(sig.meaning).lower(),
        name=sig.signer_name,
        when=fmt.stamp(sig.signed_at, tz),
    )


def note_block(
    n: NoteInfo, tz: tzinfo | None, *, signature: SignatureInfo | None = None
) -> NoteBlock:
    """A note as printed; ``signature``: the session's for a session note, else its own."""
    if n.kind == "session":
        name = _("Session note")
        parts = _paragraph_parts("", n.body)
    else:
        name = _("Integration note of {day}", day=fmt.day(n.held_at, tz))
        parts = []
        for sec in INTEGRATION_SECTIONS:
            parts += _paragraph_parts(_(sec.label), n.sections.get(sec.key, ""))
        known = {sec.key for sec in INTEGRATION_SECTIONS}
        for key, text in n.sections.items():
            if key not in known:
                parts += _paragraph_parts(key, text)
        parts += _paragraph_parts(_("Further notes"), n.body)
    if not parts:
        parts = [("", _("(empty)"))]
    meta = _(
        "By {author} · {status} · held {held} · last changed {changed} · {signed}",
        author=n.author or _("unknown"),
        status=note_status(n.status),
        held=fmt.day_hm(n.held_at, tz),
        changed=fmt.day_hm(n.updated_at, tz),
        signed=_signed_text(signature, tz),
    )
    return NoteBlock(name, meta, tuple(parts))


def addendum_block(a: AddendumInfo, target: str, tz: tzinfo | None) -> NoteBlock:
    parts: list[tuple[str, str]] = _paragraph_parts("", a.text)
    if a.corrected:
        lines = "\n".join(f"{field}: {value}" for field, value in a.corrected.items())
        parts.append((_("Corrected values"), lines))
    meta = _(
        "By {author} ({role}) · written {when} · {signed}",
        author=a.author_name,
        role=role_label(a.author_role),
        when=fmt.stamp(a.created_at, tz),
        signed=_signed_text(a.signature, tz),
    )
    return NoteBlock(_("Addendum #{id} to {target}", id=a.id, target=target), meta, tuple(parts))


def _banner(s: SessionInfo) -> str:
    """The line above everything when the session is not a plain, finished one."""
    state = s.state
    if state == SessionState.CANCELLED:
        return _(
            "CANCELLED before dosing. Reason: {reason}", reason=s.state_reason or _("not given")
        )
    elif state == SessionState.DOSE_WITHHELD:
        return _("DOSE WITHHELD. Reason: {reason}", reason=s.state_reason or _("not given"))
    elif state != SessionState.DISCHARGED:
        return _(
            "IN PROGRESS: this session is {state}; the record may change.", state=state_label(state)
        )
    elif discharged_against_criteria(s.discharge_criteria, s.discharge_reason):
        return _(
            "DISCHARGED AGAINST CRITERIA: {reason}",
            reason=s.discharge_reason or _("no reason recorded"),
        )
    return ""


def build_session_report(
    detail: SessionDetail,
    protocol: Protocol | None,
    pc: PrintContext,
    extras: SessionExtras | None = None,
) -> SessionReport:
    extras = extras or SessionExtras()
    tz = pc.tz
    s = detail.session
    when = s.first_dose_at or s.checked_in_at or s.scheduled_at
    header = page_header(
        _("Dosing session summary"),
        detail.patient,
        pc,
        _("Session #{id} · {day}", id=s.id, day=fmt.day(when, tz)),
    )
    banner = _banner(s)
    effects, absent = side_effects_table(detail, tz)
    counted = counting(detail)  # the chart leaves out entries entered in error
    chart = bp_chart(counted, protocol) if counted.doses and counted.readings else None
    if chart is None:
        chart_note = (
            _("No chart: no dose was given, so there are no minutes from dose to plot.")
            if not counted.doses
            else _("No chart: no vital signs were recorded.")
        )
    else:
        chart_note = ""
    session_sig = extras.session_signature
    notes = tuple(
        note_block(
            n,
            tz,
            signature=session_sig if n.kind == "session" else extras.note_signatures.get(n.id),
        )
        for n in detail.notes
    )
    signatures = (
        () if session_sig is None else (signature(session_sig, _("Session #{id}", id=s.id), tz),)
    )
    return SessionReport(
        header=header,
        banner=banner,
        time_note=_(
            "Times are local: {zone}. Min = minutes from the first dose (negative before it).",
            zone=fmt.zone_name(when, tz),
        ),
        facts=tuple(_facts(detail, session_sig is not None, tz, protocol)),
        staff=_staff(detail, extras),
        checklist=_checklist(detail, protocol),
        vitals=vitals_table(detail, protocol, tz),
        chart=chart,
        chart_note=chart_note,
        schedule=schedule_table(detail, tz),
        doses=doses_table(detail, tz),
        overrides=overrides_table(detail, protocol, tz),
        acknowledged_alerts=acknowledged_alerts_table(detail, extras.acknowledgements, tz),
        side_effects=effects,
        absent_effects=absent,
        observations=observations_table(detail, tz),
        discharge=_discharge(detail, extras, tz),
        notes=notes,
        signatures=signatures,
        not_signed="" if signatures else _(NOT_SIGNED),
        addenda=tuple(addendum_block(a, target, tz) for target, a in extras.addenda),
    )
