"""The big demo's closing line in the user's language, naming where the clinic went."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from kapdesk.demo.bulk import _SUMMARY_COUNTS, BigClinicResult
from kapdesk.i18n import use_language

SERVER = "postgresql://kapdesk@db.clinic/kapdesk"


def _result(tmp_path: Path) -> BigClinicResult:
    return BigClinicResult(
        path=tmp_path / "big-demo.sqlite",
        seconds=12.4,
        size_bytes=48_000_000,
        counts=dict.fromkeys(_SUMMARY_COUNTS, 7),
        today=date(2026, 3, 2),
        end=datetime(2026, 3, 2, 17, 0, tzinfo=UTC),
    )


def test_the_summary_names_the_server_the_clinic_was_moved_to_in_each_language(
    tmp_path: Path,
) -> None:
    built = _result(tmp_path)
    english = built.summary(where=SERVER)
    assert english.startswith(f"Big demo clinic written to {SERVER} in 12 s (48 MB): 7 users,")
    assert built.summary().startswith(f"Big demo clinic written to {built.path} in 12 s")
    with use_language("pt-PT"):
        portuguese = built.summary(where=SERVER)
    assert SERVER in portuguese
    assert str(built.path) not in portuguese
    assert "doentes" in portuguese
    assert "Big demo clinic" not in portuguese
