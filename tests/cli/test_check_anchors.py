"""The chain anchored outside the file by `kapdesk backup`/`restore`, compared by `check`;
the record seal printed on every summary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.reports.pdftext import document

from .conftest import Run, assert_one_line_error, sql


def _anchors(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_console_backup_anchors_the_chain_beside_the_database_and_the_copy(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    assert run("backup", "--db", demo_db, "-o", elsewhere / "copy.bak").code == 0
    (head, digest) = sql(demo_db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    for folder in (demo_db.parent / "backups", elsewhere):
        (anchor,) = _anchors(folder / f"{demo_db.stem}.anchors")
        assert anchor["entry_id"] <= head
        assert anchor["verified"] is True
    result = run("check", "--db", demo_db)
    assert result.code == 0, result.out
    assert "the chain matches its 1 anchors outside the file" in result.out
    assert len(digest) == 64


def test_check_finds_the_database_swapped_for_an_older_copy(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older.sqlite"
    shutil.copyfile(demo_db, older)
    assert run("report", "session", "1", "--db", demo_db, "-o", tmp_path / "s.pdf").code == 0
    assert run("backup", "--db", demo_db, "-o", tmp_path / "b.bak").code == 0
    shutil.copyfile(older, demo_db)
    result = run("check", "--db", demo_db)
    assert result.code == 1
    assert "the chain is shorter than it once was" in result.out


def test_a_restore_starts_the_anchors_afresh(run: Run, demo_db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "early.bak"
    assert run("backup", "--db", demo_db, "-o", backup).code == 0
    assert run("report", "session", "1", "--db", demo_db, "-o", tmp_path / "s.pdf").code == 0
    assert run("backup", "--db", demo_db, "-o", tmp_path / "late.bak").code == 0
    assert run("restore", backup, "--db", demo_db).code == 0
    anchors = _anchors(demo_db.parent / "backups" / f"{demo_db.stem}.anchors")
    assert anchors[-1]["reason"] == "restore"
    result = run("check", "--db", demo_db)
    assert result.code == 0, result.out


def test_every_printed_summary_carries_the_record_seal(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "session.pdf"
    (head, digest) = sql(demo_db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert run("report", "session", "1", "--db", demo_db, "-o", out).code == 0
    seal = f"{head}-{digest[:12]}"
    assert f"record seal {seal}" in document(out.read_bytes())
    result = run("check", "--db", demo_db, "--seal", seal)
    assert result.code == 0, result.out
    bad = run("check", "--db", demo_db, "--seal", f"{head}-{'0' * 12}")
    assert bad.code == 1
    assert f"record seal {head}-{'0' * 12}: audit entry {head} has another hash" in bad.out


def test_check_never_writes_an_anchor_and_names_a_missing_anchor_file(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    assert run("check", "--db", demo_db).code == 0
    assert not (demo_db.parent / "backups").exists()
    line = assert_one_line_error(
        run("check", "--db", demo_db, "--anchors", tmp_path / "none.anchors")
    )
    assert "no such file" in line
