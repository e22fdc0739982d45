"""Summaries print in the language of whoever prints them (issue 16): the active language
when the PDF is made (a sign-in sets it, kapdesk.ui.translation), read back from the PDF.
The same process prints Portuguese, then English, then Portuguese: nothing keeps the text
of an earlier language (styles, fonts and charts are made per document)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from services.conftest import PASSWORD

from kapdesk.domain.signing import Meaning
from kapdesk.i18n import use_language
from kapdesk.services.addenda import AddendumService
from kapdesk.services.signing import SigningService

from .clinic import OVERRIDE_REASON, T0, build_course
from .conftest import Setup
from .pdftext import document, in_order

LONG_DATE = re.compile(r"\b\d{1,2} de (janeiro|fevereiro|março|abril|maio|junho|julho|agosto|"
                       r"setembro|outubro|novembro|dezembro) de 20\d\d\b")  # fmt: skip


@pytest.fixture(scope="module")
def course_texts(module_setup: Setup) -> tuple[str, str, str]:
    """The course summary of a six-session course in pt-PT, English, pt-PT again."""
    build_course(module_setup.clinic, sessions=6)

    def printed() -> str:
        reports, clinician = module_setup.reports, module_setup.staff.clinician
        return document(reports.course_summary_pdf(clinician, "KAP-0042", demo=False))

    with use_language("pt-PT"):
        first = printed()
    english = printed()
    with use_language("pt-PT"):
        again = printed()
    return first, english, again


def test_the_course_summary_in_portuguese(course_texts: tuple[str, str, str]) -> None:
    text = course_texts[0]
    assert text.startswith(
        "clínica kapdesk Simões, Conceição Resumo do ciclo de tratamento · Ciclo n.º 1 · "
        "kap-default v1.0 N.º processo KAP-0042 · Data nasc. 17/05/1980"
    )
    assert in_order(
        text,
        "Ciclo Doente Simões, Conceição ·",
        "Início 2 de março de 2026 Fim Em curso",
        "Sessões de administração N.º Data Protocolo Via Dose mg TA máx.",
        "1 02/03/2026 kap-default v1.0 IM 35 150/90 2 12:10",
        "3 16/03/2026 kap-default v1.0 IM 35 184/100 (em alerta) 1 12:10",
        "PHQ-9 e GAD-7",
        "Dias desde o início do ciclo",
        "Instrumento Inicial Avaliação final (até 8 semanas) Variação",
        "−12 pontos (−63,2 %)",  # a decimal comma
        "Resposta: SIM – PHQ-9 19 → 7 (−63,2 %) na avaliação final.",
        "Remissão: NÃO – PHQ-9 na avaliação final 7.",
        "Seguimento – nenhum registado após a fase aguda (termina a 27/04/2026).",
        "Todos os resultados dos questionários Data Instrumento Total Gravidade Fase",
        "02/03/2026 PHQ-9 19 / 27",
        "Item 9 do PHQ-9 (pensamentos de autolesão) ao longo do ciclo",
        "Desvios da tensão arterial ao longo das sessões",
        "Frequência dos efeitos adversos Efeito Sessões Proporção Mais grave Tratados",
        "De 6 sessões em que foi administrada uma dose.",
        "Fim do resumo do ciclo.",
    )
    assert LONG_DATE.search(text)
    assert "aguda" in text  # the phase of every result in the acute phase
    assert "Página 1 de 2" in text


def test_phq9_answers_keep_their_validated_english_wording(
    course_texts: tuple[str, str, str],
) -> None:
    """The items' and answers' Portuguese wording is not the translator's to write
    (report_data.words.instrument_wording): the frame is Portuguese, the answer English."""
    text = course_texts[0]
    assert "02/03/2026 1 – Several days Requer seguimento pelo clínico" in text
    assert "Resposta ao item 9" in text
    assert "foi superior a 0 pelo menos uma vez neste ciclo." in text


def test_english_then_portuguese_again_in_the_same_process(
    course_texts: tuple[str, str, str],
) -> None:
    first, english, again = course_texts
    assert "Treatment course summary · Course #1" in english
    assert "Started 2026-03-02 Ended Ongoing" in english
    assert "−12 points (−63.2 %)" in english
    assert "Days since the course started" in english
    assert "Resumo" not in english
    assert "ciclo" not in english
    strip = re.compile(r"(a|on) \d\d/\d\d/\d{4} \d\d:\d\d|selo do registo \S+")
    assert strip.sub("", again) == strip.sub("", first)


def test_a_signed_session_with_chart_staff_and_addendum_in_portuguese(setup: Setup) -> None:
    c, st = setup.clinic, setup.staff
    signing, addenda = SigningService(setup.ctx), AddendumService(setup.ctx)
    pid, course_id = c.patient_and_course()
    sid = c.simple_session(course_id, pid, T0)
    c.notes.save_session_note(st.therapist, sid, "Uneventful session.")
    note = c.notes.create_integration_note(st.therapist, course_id, follows_session_id=sid)
    c.notes.update_integration_note(st.therapist, note.id, sections={"themes": "Calm, hopeful."})
    c.at(T0 + timedelta(hours=4))
    signing.sign(st.clinician, "dosing_session", sid, PASSWORD)
    signing.sign(st.therapist, "note", note.id, PASSWORD, meaning=Meaning.AUTHORED)
    c.at(T0 + timedelta(hours=5))
    added = addenda.add_addendum(
        st.nurse, "dosing_session", sid, "The ride home was her sister.",
        corrected={"Ride home present": "yes (sister)"},
    )  # fmt: skip
    with use_language("pt-PT"):
        text = document(setup.reports.session_summary_pdf(st.clinician, sid, demo=False))
    assert in_order(
        text,
        f"Sessão n.º {sid} · com alta · assinado",
        "Profissionais envolvidos",
        "admissão",
        "Minutos desde a primeira dose",
        "Sistólica Diastólica FC Medição devida limiar elevado limiar de alerta limiar crítico",
        "Nota da sessão Por Test Therapist · final ·",
        "revisto e assinado por Test Clinician a 02/03/2026 14:00 CET (UTC+01:00)",
        "redigido e assinado por Test Therapist",
        f"Sessão n.º {sid}: Revisto e assinado por Test Clinician (",
        "Método: reintrodução da palavra-passe.",
        f"Adenda n.º {added.id} – Sessão n.º {sid}",
        "Por Test Nurse (",
        "Valores corrigidos Ride home present: yes (sister)",
    )
    for label in ("TAS > 180 em alerta (pós-dose)", "mmHg / batimentos por min"):
        assert label in text
    english = document(setup.reports.session_summary_pdf(st.clinician, sid, demo=False))
    assert "Systolic Diastolic Pulse Reading due elevated threshold" in english
    assert f"Session #{sid}: Reviewed and signed by Test Clinician (clinician) on" in english
    assert "Sessão" not in english


def test_an_override_and_its_reading_in_portuguese(setup: Setup) -> None:
    _, course_id = setup.clinic.patient_and_course()
    sid = setup.clinic.known_session(course_id)
    reports, clinician = setup.reports, setup.staff.clinician
    with use_language("pt-PT"):
        text = document(reports.session_summary_pdf(clinician, sid, demo=False))
    assert (
        f"10:09 Suspensão pré-dose Dr. Jürgen Müller {OVERRIDE_REASON} TA 144/91 às 10:08 "
        "(elevada) Test Clinician" in text
    )
    assert "Total de 52,5 mg em 2 doses." in text
