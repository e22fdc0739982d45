"""Crash safety: SIGKILL a writer at random moments; nothing it reported saved may be lost.

See harness.py for what is checked after each kill and why. The kill count
comes from KAPDESK_CRASH_KILLS (default 200); the figures are printed.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from .harness import check_database, prepare_template, run

KILLS = int(os.environ.get("KAPDESK_CRASH_KILLS", "200"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks writers")


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures, seconds = run(KILLS, tmp_path)
    with capsys.disabled():
        print(
            f"\ncrash harness: {figures.kills} kills in {seconds:.1f} s, "
            f"{figures.readings_confirmed} readings confirmed before a kill, "
            f"{figures.readings_in_database} readings in the databases, "
            f"{figures.rows_lost} rows lost, {figures.partial_records} partial records, "
            f"{figures.killed_before_first_reading} kills before the first reading"
        )
    assert figures.problems == []
    assert figures.kills == KILLS
    assert (figures.rows_lost, figures.partial_records) == (0, 0)
    # The kills landed amid the writing, not only before it started.
    assert figures.kills - figures.killed_before_first_reading >= KILLS // 2
    assert figures.readings_confirmed >= KILLS
    assert figures.readings_in_database >= figures.readings_confirmed


def test_the_checker_sees_lost_rows_partial_records_and_a_broken_chain(tmp_path: Path) -> None:
    path = prepare_template(tmp_path)
    assert check_database(path, set()).problems == []

    lost = check_database(path, {424242})
    assert lost.problems == ["1 confirmed readings lost: [424242]"]

    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute(
        "UPDATE audit_log SET entity = 'vital_reading', action = 'vitals.record', "
        "entity_id = '7' WHERE id = (SELECT max(id) FROM audit_log)"
    )
    conn.commit()
    conn.close()
    broken = check_database(path, set())
    assert broken.partial_records == 1
    assert any("audit without reading [7]" in p for p in broken.problems)
    assert any(p.startswith("audit chain:") for p in broken.problems)
