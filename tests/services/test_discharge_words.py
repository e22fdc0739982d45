"""The discharge checks frozen at discharge read in the active language where shown (the
session screen, the PDF) when judging them again at the discharge time says word for word
what was frozen; the stored checks stay English."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.wording import shown
from kapdesk.i18n import use_language
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.screen_dtos import DischargeCheck
from kapdesk.services.session_discharge import worded_checks
from kapdesk.storage.orm import DosingSession

from .sessionkit import Kit
from .test_discharge import STAFF_YES


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def discharged(kit: Kit) -> int:
    sid = kit.dosed()
    first = kit.clock.now()
    kit.advance(minutes=25)
    kit.vitals.record(kit.nurse, sid, 126, 80, pulse=76, spo2=98)
    kit.sessions.record_discharge_answers(kit.nurse, sid, STAFF_YES)
    kit.clock.set(first + timedelta(minutes=106))
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    kit.clock.set(first + timedelta(minutes=121))
    kit.sessions.discharge(kit.nurse, sid)
    return sid


def frozen_details(kit: Kit, sid: int) -> dict[str, str]:
    with kit.ctx.db.read() as s:
        row = s.get(DosingSession, sid)
        assert row is not None
        return {c["id"]: c["detail"] for c in row.discharge_criteria["checks"]}


def test_frozen_checks_read_in_portuguese_and_stay_english(kit: Kit) -> None:
    sid = discharged(kit)
    english = {
        c.id: (shown(c.label), shown(c.detail)) for c in kit.sessions.detail(sid).discharge_checks
    }
    assert english["vitals_acceptable"][1].startswith("Latest reading BP 122/78 (")
    with use_language("pt-PT"):
        checks = kit.sessions.detail(sid).discharge_checks
        portuguese = {c.id: (shown(c.label), shown(c.detail)) for c in checks}
    assert portuguese["vitals_acceptable"][0] == "Sinais vitais aceitáveis"
    assert portuguese["vitals_acceptable"][1].startswith("A última medição TA 122/78 (")
    assert "required" not in portuguese["min_observation"][1]
    assert frozen_details(kit, sid)["vitals_acceptable"].startswith("Latest reading BP 122/78 (")
    assert {c.id: c.detail for c in checks} == frozen_details(kit, sid)  # English where kept


def test_a_frozen_check_judged_otherwise_now_is_shown_as_frozen() -> None:
    frozen = (DischargeCheck("steady", "Steady on feet", False, True, "Confirmed by Ana"),)
    again = (DischargeCheck("steady", "Steady on feet", False, False, "Not confirmed"),)
    assert worded_checks(frozen, again) == frozen
    assert worded_checks(frozen, ()) == frozen
