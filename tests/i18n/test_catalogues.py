"""The shipped translations are complete, current and compiled (python -m
kapdesk.i18n.catalogues extract / compile: README "Languages")."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from kapdesk.i18n import catalogues

pytestmark = pytest.mark.skipif(
    not catalogues.FOLDER.is_dir(), reason="the source tree's resources/i18n is not here"
)


@pytest.mark.parametrize("stem", catalogues.languages())
def test_every_po_entry_is_translated_and_none_is_left_over(stem: str) -> None:
    assert catalogues.po_problems(catalogues.FOLDER / f"{stem}.po") == []


@pytest.mark.parametrize("stem", catalogues.languages())
def test_every_ts_entry_is_translated_and_none_is_obsolete(stem: str) -> None:
    assert catalogues.ts_problems(catalogues.FOLDER / f"kapdesk_{stem}.ts") == []


def test_the_po_files_hold_exactly_the_strings_in_the_sources() -> None:
    from babel.messages.pofile import read_po

    wanted = {m.id for m in catalogues.template() if m.id}  # type: ignore[attr-defined]
    for stem in catalogues.languages():
        with (catalogues.FOLDER / f"{stem}.po").open("rb") as fp:
            have = {m.id for m in read_po(fp) if m.id}
        assert sorted(map(str, wanted - have)) == [], "not extracted: run ... catalogues extract"
        assert sorted(map(str, have - wanted)) == [], "no longer in the sources: extract"


@pytest.mark.parametrize("stem", catalogues.languages())
def test_the_ts_file_holds_exactly_the_gui_strings(stem: str, tmp_path: Path) -> None:
    committed = catalogues.FOLDER / f"kapdesk_{stem}.ts"
    fresh = tmp_path / committed.name
    shutil.copyfile(committed, fresh)
    catalogues.lupdate([fresh])
    assert catalogues.ts_problems(fresh) == [], "new GUI strings: run ... catalogues extract"


@pytest.mark.parametrize("stem", catalogues.languages())
def test_the_compiled_files_are_those_of_their_sources(stem: str, tmp_path: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with (catalogues.FOLDER / f"{stem}.po").open("rb") as fp:
        buffer = io.BytesIO()
        write_mo(buffer, read_po(fp, locale=stem))
    assert (catalogues.FOLDER / f"{stem}.mo").read_bytes() == buffer.getvalue(), (
        f"{stem}.mo is stale: run python -m kapdesk.i18n.catalogues compile"
    )
    qm = tmp_path / "fresh.qm"
    lrelease = catalogues._tool("pyside6-lrelease")
    ts = catalogues.FOLDER / f"kapdesk_{stem}.ts"
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
    assert (catalogues.FOLDER / f"kapdesk_{stem}.qm").read_bytes() == qm.read_bytes(), (
        f"kapdesk_{stem}.qm is stale: run python -m kapdesk.i18n.catalogues compile"
    )


@pytest.mark.parametrize("stem", catalogues.languages())
def test_extract_drops_gui_strings_no_longer_in_the_sources(stem: str, tmp_path: Path) -> None:
    ts = tmp_path / f"kapdesk_{stem}.ts"
    committed = (catalogues.FOLDER / ts.name).read_text(encoding="utf-8")
    gone = (
        "<context>\n    <name>Gone</name>\n    <message>\n"
        "        <source>A string kapdesk no longer has</source>\n"
        "        <translation>x</translation>\n    </message>\n</context>\n</TS>"
    )
    ts.write_text(committed.replace("</TS>", gone), encoding="utf-8")
    catalogues.lupdate([ts], drop_vanished=True)
    assert "no longer has" not in ts.read_text(encoding="utf-8")
    assert catalogues.ts_problems(ts) == []
