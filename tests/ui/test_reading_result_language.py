"""The session's latest reading shows its stored assessment in the signed-in language; the
reading keeps the English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kapdesk.domain.protocol import Phase, builtin_protocols
from kapdesk.domain.vitals import VitalsInput, classify, stored_assessment
from kapdesk.services.dtos import ReadingInfo
from kapdesk.ui.session.reading_result import ReadingResult
from kapdesk.ui.translation import speak

KAP = builtin_protocols()["kap-default"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reading(systolic: int, stored: str | None = None) -> ReadingInfo:
    a = classify(VitalsInput(systolic, 94, 80, 97), KAP, Phase.PRE_DOSE)
    return ReadingInfo(
        id=1,
        session_id=1,
        taken_at=T0,
        systolic=systolic,
        diastolic=94,
        pulse=80,
        spo2=97,
        phase="pre_dose",
        band=a.band.value,
        rules=tuple(h.rule_id for h in a.fired),
        assessment=stored if stored is not None else str.__str__(stored_assessment(a)),
        protocol_label=a.protocol_label,
        recorded_by="Test Nurse",
        recorded_at=T0,
        minutes_from_dose=None,
    )


@pytest.fixture
def portuguese(qapp: QApplication) -> Iterator[None]:
    speak(qapp, "pt-PT")
    yield
    speak(qapp, "en")


def shown_for(qtbot: QtBot, r: ReadingInfo) -> str:
    widget = ReadingResult(KAP, recheck_words="Recheck after {min} min rest")
    qtbot.addWidget(widget)
    widget.show_reading(r, running=True, readings=[r])
    return widget.provenance.text()


def test_assessment_in_english_unchanged(qtbot: QtBot) -> None:
    r = reading(152)
    first, action = shown_for(qtbot, r).split("\n")
    assert first == r.assessment
    assert action.startswith("Protocol action: Recheck after 5 min rest; dose only with")
    assert r.assessment.startswith("Elevated – systolic ≥ 140 or diastolic ≥ 90 mmHg")


def test_assessment_in_portuguese(qtbot: QtBot, portuguese: None) -> None:
    r = reading(152)
    first, action = shown_for(qtbot, r).split("\n")
    assert action == (
        "Ação do protocolo: Reavaliar após 5 min de repouso; administrar só com autorização "
        "de exceção registada pelo prescritor (nome, motivo)."
    )
    assert first.startswith("Elevada – sistólica ≥ 140 ou diastólica ≥ 90 mmHg")
    assert "Checked" not in first
    assert r.assessment.startswith("Elevated – systolic")  # the record keeps the English
    typed = reading(152, stored="Elevated – an older wording (kap-default v1.0, pre-dose).")
    assert shown_for(qtbot, typed).split("\n")[0] == typed.assessment
