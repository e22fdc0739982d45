"""The services speak the user's language (pt-PT here) and keep English where text is stored.

Each case runs the same call in English and in Portuguese: the English is exactly what
kapdesk always said, the Portuguese is the catalogue's; what is written to the database
(a refusal's audit entry) stays English, and field names the screens match on stay English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, timedelta

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import KapdeskError, NotFound, PermissionDenied, ValidationError
from kapdesk.i18n import ENGLISH, current, use_language
from kapdesk.services.audit_log import AuditQueryService
from kapdesk.services.audit_text import readable_by
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.users import UserService
from kapdesk.services.wording import count, who_may

from .sessionkit import YES_TO_ALL, Kit, audit_probe


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    assert current() == ENGLISH


def _said(call: Callable[[], object], error: type[KapdeskError]) -> KapdeskError:
    with pytest.raises(error) as caught:
        call()
    return caught.value


def test_a_missing_session_is_named_in_each_language(kit: Kit) -> None:
    def record() -> object:
        return kit.vitals.record(kit.nurse, 999, 120, 80)

    assert str(_said(record, NotFound)) == "There is no dosing session #999."
    with use_language("pt-PT"):
        assert str(_said(record, NotFound)) == "Não existe a sessão de administração n.º 999."


def test_a_time_in_the_future_names_the_field_in_portuguese_and_keeps_its_english_name(
    kit: Kit,
) -> None:
    sid = kit.checked_in()
    ahead = kit.clock.now() + timedelta(hours=2)

    def record() -> object:
        return kit.vitals.record(kit.nurse, sid, 120, 80, taken_at=ahead)

    english = _said(record, ValidationError)
    assert isinstance(english, ValidationError)
    assert english.message.startswith("Taken at 2026-03-02 11:00")
    assert english.message.endswith(
        "is in the future; a time may be now or earlier (now is 2026-03-02 09:00)."
    )
    with use_language("pt-PT"):
        portuguese = _said(record, ValidationError)
    assert isinstance(portuguese, ValidationError)
    assert portuguese.field == english.field == "Taken at"  # what the screen looks the field up by
    assert portuguese.message.startswith("Hora da medição: 2026-03-02 11:00")
    assert portuguese.message.endswith(
        "está no futuro; a hora pode ser a atual ou anterior (agora: 2026-03-02 09:00)."
    )


def test_a_refusal_is_shown_in_portuguese_and_audited_in_english(
    ctx: ServiceContext, admin: Actor
) -> None:
    users = UserService(ctx)
    with use_language("pt-PT"), audit_probe(ctx.db) as probe:
        refused = _said(lambda: users.deactivate(admin, admin.user_id), PermissionDenied)
    assert str(refused) == (
        "Test Admin (admin) é o último administrador ativo: crie primeiro outro administrador."
    )
    assert probe.actions == ["denied.manage_users"]
    stored = probe.entries[0].after_data
    assert stored is not None
    assert stored["message"] == (
        "Test Admin (admin) is the last active administrator: make another administrator first."
    )
    with audit_probe(ctx.db) as probe:
        again = _said(lambda: users.deactivate(admin, admin.user_id), PermissionDenied)
    assert str(again) == stored["message"]
    assert probe.entries[0].after_data == stored


def test_the_board_flags_a_held_dose_in_each_language(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    kit.vitals.record(kit.nurse, sid, 150, 92)

    def flags() -> tuple[str, ...]:
        rows = BoardService(ctx).today_board(tz=UTC)
        return next(r.flags for r in rows if r.session_id == sid)

    assert flags() == ("Elevated pre-dose BP", "Hold: override needed")
    with use_language("pt-PT"):
        assert flags() == ("TA pré-dose elevada", "Suspensão: exige autorização de exceção")


def test_an_admin_reads_the_hidden_clinical_text_marker_in_portuguese(
    kit: Kit, ctx: ServiceContext, clinician: Actor, admin: Actor
) -> None:
    sid = kit.ready(bp=(150, 92))
    kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "Baseline is usually high")
    audit = AuditQueryService(ctx)
    (shown,) = audit.query(admin, action_prefix="session.override_hold")
    assert shown.after is not None
    assert shown.after["reason"] == "(clinical text hidden)"
    with use_language("pt-PT"):
        (shown,) = audit.query(admin, action_prefix="session.override_hold")
    assert shown.action == "session.override_hold"  # stored names stay as stored
    assert shown.after is not None
    assert shown.after["reason"] == "(texto clínico oculto)"
    assert shown.after["prescriber_name"] == "Dr. Ana Lima"  # field names, values as stored
    (whole,) = readable_by(clinician, audit.query(clinician, action_prefix="session.override"))
    assert whole.after is not None
    assert whole.after["reason"] == "Baseline is usually high"


def test_roles_counts_and_plurals_follow_the_language() -> None:
    from kapdesk.domain.permissions import Action

    assert who_may(Action.DISCHARGE) == "a nurse or a clinician"
    assert count(1124) == "1,124"
    with use_language("pt-PT"):
        assert who_may(Action.DISCHARGE) == "um enfermeiro ou um clínico"
        assert count(1124) == "1\N{NO-BREAK SPACE}124"


def test_a_prescribers_name_is_refused_under_its_own_field_name_in_each_language(
    kit: Kit, clinician: Actor
) -> None:
    sid = kit.ready(bp=(150, 92))

    def override() -> object:
        return kit.sessions.override_hold(clinician, sid, "Ana 3", "Baseline")

    english = _said(override, ValidationError)
    assert isinstance(english, ValidationError)
    assert english.message == (
        "Prescriber name 'Ana 3' contains '3'; names hold letters, spaces, hyphens, "
        "apostrophes and full stops."
    )
    with use_language("pt-PT"):
        portuguese = _said(override, ValidationError)
    assert isinstance(portuguese, ValidationError)
    assert portuguese.field == english.field == "Prescriber name"
    assert portuguese.message.startswith("Nome do prescritor 'Ana 3'")
    assert "Nome completo" not in portuguese.message
