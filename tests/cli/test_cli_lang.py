"""kapdesk --lang / KAPDESK_LANG: a session summary printed in Portuguese."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.conftest import Run, assert_one_line_error


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
