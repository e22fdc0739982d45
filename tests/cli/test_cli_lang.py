"""kapdesk --lang / KAPDESK_LANG: summaries, the cohort table, messages and --help in
Portuguese; English unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.conftest import Run, assert_one_line_error, sql


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_a_session_summary_prints_in_portuguese(run: Run, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    result = run("--lang", "pt-PT", "report", "session", "4", "--db", demo_db, "-o", out)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Escrito {out} (")
    assert "páginas" in result.out
    text = _text(out)
    for phrase in (
        "Resumo da sessão de administração",
        "Profissionais envolvidos",
        "Lista de verificação pré-sessão",
        "Sinais vitais",
        "Consentimento informado no processo",
        "Página 1 de",
        "DADOS DE DEMONSTRAÇÃO – não é um registo clínico",
    ):
        assert phrase in text, phrase
    assert " de 2026 (" in text  # '11 de setembro de 2026 (sexta-feira)'
    english = tmp_path / "en.pdf"
    assert run("report", "session", "4", "--db", demo_db, "-o", english).code == 0
    assert "Dosing session summary" in _text(english)


def test_the_language_may_come_from_kapdesk_lang(
    run: Run, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAPDESK_LANG", "pt_PT.UTF-8")
    out = tmp_path / "x.pdf"
    assert run("report", "session", "4", "--db", demo_db, "-o", out).code == 0
    assert "Resumo da sessão de administração" in _text(out)


def test_a_language_kapdesk_lacks_is_one_line(run: Run, demo_db: Path, tmp_path: Path) -> None:
    result = run("--lang", "de", "report", "session", "4", "--db", demo_db, "-o", tmp_path / "x")
    line = assert_one_line_error(result, code=2)
    assert "--lang: no translation for 'de'" in line


def test_a_course_summary_and_its_line_in_portuguese(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    ((mrn,),) = sql(demo_db, "SELECT mrn FROM patients ORDER BY id LIMIT 1")
    out = tmp_path / "c.pdf"
    result = run("--lang", "pt-PT", "report", "course", mrn, "--db", demo_db, "-o", out)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Escrito {out} (")
    text = _text(out)
    for phrase in (
        "Resumo do ciclo de tratamento",
        "Impresso por linha de comandos (sem utilizador com sessão iniciada)",
        "Sessões de administração",
        "Dias desde o início do ciclo",
        "Todos os resultados dos questionários",
        "Frequência dos efeitos adversos",
        "Fim do resumo do ciclo.",
        "DADOS DE DEMONSTRAÇÃO",
    ):
        assert phrase in text, phrase
    assert re.search(r"Início\s+\d{1,2} de [a-zç]+ de 20\d\d", text)  # '4 de março de 2026'
    assert re.search(r"\d,\d", text)  # doses, percentages: '35,5', '−23,1 %'
    assert "Treatment course summary" not in text


def test_the_cohort_pdf_and_its_line_in_portuguese(run: Run, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "cohort.pdf"
    result = run("--lang", "pt-PT", "cohort", "--db", demo_db, "-o", out)
    assert result.code == 0, result.err
    assert result.out == f"Escrito {out} (4 ciclos, identificável: nomes e n.º de processo).\n"
    text = _text(out)
    for phrase in (
        "Resultados da coorte",
        "4 ciclos · identificável: nomes e n.º de processo",
        "Seleção",
        "Resumo",
        "Trajetórias do PHQ-9",
        "Semanas desde o início do ciclo",
        "cada ciclo",
        "mediana da coorte por semana (fase aguda)",
        "Definições",
    ):
        assert phrase in text, phrase
    assert re.search(r"Resultados da coorte\s+·\s+\d{1,2} de [a-zç]+ de 20\d\d", text)
    english = tmp_path / "en.pdf"
    assert run("cohort", "--db", demo_db, "-o", english).out.endswith(
        "(4 courses, identifying: names and MRNs).\n"
    )
    assert "Cohort outcomes" in _text(english)


def test_help_and_errors_in_portuguese_english_unchanged(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    helped = run("--lang", "pt-PT", "--help")
    assert helped.code == 0
    assert "escrever um resumo em PDF de uma sessão ou de um ciclo" in helped.out
    assert "a língua a usar, p. ex. pt-PT" in helped.out
    assert "write a PDF summary of a session or a course" in run("--help").out
    folder = run("--lang=pt-PT", "report", "session", "4", "--db", demo_db, "-o", tmp_path)
    line = assert_one_line_error(folder)
    assert line == f"kapdesk: -o {tmp_path}: isso é uma pasta; indique um nome de ficheiro " + (
        "como resumo.pdf."
    )
    missing = run("--lang", "pt-PT", "list", "patients", "--db", tmp_path / "none.sqlite")
    assert "Não há base de dados em" in assert_one_line_error(missing)
    english = run("list", "patients", "--db", tmp_path / "none.sqlite")
    assert f"No database at {tmp_path / 'none.sqlite'}." in assert_one_line_error(english)
