"""`kapdesk export csv --db PATH -o DIR [--deidentify] [--overwrite]`: the files and their row
counts on stdout, a bad folder as one line on stderr and exit 1 with nothing written, audited
with the OS user, and kapdesk check still passing (and naming a research key changed behind
the app without showing it)."""

from __future__ import annotations

import getpass
import json
import re
import unicodedata
from pathlib import Path

import pytest

from kapdesk.domain.research_columns import DICTIONARY_FILE, FILES

from .conftest import Run, assert_one_line_error, dump, sql


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@pytest.fixture(autouse=True)
def os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")


def test_export_writes_every_file_audited_and_the_check_still_passes(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "research"
    result = run("export", "csv", "--db", demo_db, "-o", out, "--deidentify")
    assert result.code == 0, result.err
    assert result.out.startswith(f"Wrote 8 files to {out} (de-identified):")
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, DICTIONARY_FILE])
    [(action, after)] = sql(demo_db, "SELECT action, after FROM audit_log ORDER BY id DESC LIMIT 1")
    assert action == "export.csv_console"
    details = json.loads(after)
    assert details["actor"] == "console:alice"
    assert details["deidentified"] is True
    for name, count in details["rows"].items():
        lines = (out / name).read_text(encoding="utf-8").splitlines()
        assert len(lines) == count + 1  # header
        assert f"{name}" in result.out
        assert f"{count:,} rows" in result.out
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir())).casefold()
    folded = _fold(text)
    people = sql(demo_db, "SELECT mrn, family_name, given_name FROM patients")
    assert len(people) >= 4
    for mrn, family, given in people:  # whole values anywhere; each name word as a word
        for whole in (mrn, family, given):
            assert whole.casefold() not in text, whole
            assert _fold(whole.casefold()) not in folded, whole
        for word in f"{family} {given}".replace("-", " ").split():
            for form in {word.casefold(), _fold(word.casefold())}:
                assert not re.search(rf"(?<!\w){re.escape(form)}(?!\w)", folded), word
                assert not re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text), word
    check = run("check", "--db", demo_db)
    assert check.code == 0, check.out + check.err


def test_a_research_key_changed_behind_the_app_is_named_by_the_check_never_shown(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    assert run("export", "csv", "--db", demo_db, "-o", tmp_path / "a", "--deidentify").code == 0
    [(key,)] = sql(demo_db, "SELECT value FROM settings WHERE key = 'research_key'")
    assert key.strip('"') not in "".join(r for (r,) in sql(demo_db, "SELECT after FROM audit_log"))
    sql(demo_db, "UPDATE settings SET value = '\"" + "0" * 64 + "\"' WHERE key = 'research_key'")
    check = run("check", "--db", demo_db)
    assert check.code == 1
    assert "setting research_key: changed behind the app" in check.out
    assert key.strip('"') not in check.out
    assert "0" * 64 not in check.out


def test_a_folder_that_is_not_empty_is_refused_and_nothing_is_written(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "research"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    before = dump(demo_db)
    line = assert_one_line_error(run("export", "csv", "--db", demo_db, "-o", out), code=1)
    assert line == (
        f"kapdesk: -o {out}: the folder is not empty (1 entry); give a new or empty folder, "
        "or --overwrite to replace the export's files in it."
    )
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    assert dump(demo_db) == before  # not audited: nothing was exported
    result = run("export", "csv", "--db", demo_db, "-o", out, "--overwrite")
    assert result.code == 0, result.err
    assert (out / "mine.txt").read_text() == "keep"
    assert (out / "patients.csv").is_file()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("x"), "that is a file; give a folder for the CSV files."),
        (None, "does not exist."),
    ],
)
def test_a_file_or_a_missing_parent_is_refused(
    run: Run, demo_db: Path, tmp_path: Path, make: object, message: str
) -> None:
    out = tmp_path / "research.csv" if make else tmp_path / "no" / "such" / "folder"
    if callable(make):
        make(out)
    line = assert_one_line_error(run("export", "csv", "--db", demo_db, "-o", out), code=1)
    assert line.startswith(f"kapdesk: -o {out}: ")
    assert line.endswith(message)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_missing_database_and_a_missing_output_are_refused(run: Run, tmp_path: Path) -> None:
    line = assert_one_line_error(
        run("export", "csv", "--db", tmp_path / "none.sqlite", "-o", tmp_path / "out"), code=1
    )
    assert "No database at" in line
    assert not (tmp_path / "out").exists()
    assert_one_line_error(run("export", "csv", "--db", tmp_path / "x.sqlite"), code=2)
    assert_one_line_error(run("export", "--db", tmp_path / "x.sqlite"), code=2)
