"""Extract, compile and check kapdesk's translations (a developer's tool, not run by the app).

    python -m kapdesk.i18n.catalogues extract   # sources -> .ts (GUI) and .pot/.po (the rest)
    python -m kapdesk.i18n.catalogues compile   # .ts -> .qm (pyside6-lrelease), .po -> .mo
    python -m kapdesk.i18n.catalogues check     # unfinished, obsolete or stale: exit 1
    python -m kapdesk.i18n.catalogues new xx-YY # start a language (then extract, translate)

Two catalogues, one per side of the Qt line, each string in exactly one:

* the GUI (``kapdesk/ui``): ``self.tr("...")`` / ``QCoreApplication.translate(context,
  "...")``, extracted by ``pyside6-lupdate`` into ``resources/i18n/kapdesk_<ll_CC>.ts``
  (edited with Qt Linguist or by hand), compiled by ``pyside6-lrelease`` into ``.qm``;
* everything below it (domain, services, PDFs, command line): ``_()``, ``_n()`` and
  ``N_()`` of :mod:`kapdesk.i18n`, extracted by Babel into ``resources/i18n/kapdesk.pot``,
  merged into ``<ll_CC>.po``, compiled into ``.mo``.

The compiled files are committed beside their sources, so an installed kapdesk (wheel,
PyInstaller folder) needs neither Qt's tools nor Babel's to speak; tests/i18n checks that
each is current and that no translation is missing or left over.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kapdesk.i18n import file_stem

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "kapdesk"
FOLDER = ROOT / "resources" / "i18n"
TEMPLATE = FOLDER / "kapdesk.pot"
GUI = "ui"  # the package below kapdesk/ whose strings are Qt's
KEYWORDS = {"_": None, "_n": (1, 2), "N_": None}
PROJECT = "kapdesk"
# The headers keep one date, so that extracting twice writes the same files.
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def languages() -> list[str]:
    """The languages started in FOLDER ('pt_PT', ...): one .po each."""
    return sorted(p.stem for p in FOLDER.glob("*.po"))


def _tool(name: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6 (it ships the Linguist tools)")
    return found


def gui_sources() -> list[Path]:
    return sorted((SOURCES / GUI).rglob("*.py"))


def lupdate(ts_files: Iterable[Path], *, drop_vanished: bool = False) -> None:
    """Merge the GUI's tr() strings into ``ts_files`` (no source lines: a moved string
    does not change the file); strings no longer in the sources are kept marked vanished,
    or dropped with ``drop_vanished``."""
    args = [_tool("pyside6-lupdate"), "-silent", "-locations", "none"]
    if drop_vanished:
        args.append("-no-obsolete")
    args += [str(p) for p in gui_sources()]
    args += ["-ts", *(str(p) for p in ts_files)]
    subprocess.run(args, check=True)


def template() -> object:
    """A Babel Catalog of every ``_``/``_n``/``N_`` string outside kapdesk/ui."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    catalog = Catalog(project=PROJECT, charset="utf-8", fuzzy=False, creation_date=FIXED_DATE)
    for path in sorted(SOURCES.rglob("*.py")):
        relative = path.relative_to(SOURCES)
        if relative.parts[0] in (GUI, "i18n") or "migrations" in relative.parts:
            continue
        for lineno, message, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, strip_comment_tags=True
        ):
            where = (str(path.relative_to(ROOT)), lineno)
            flags = ("python-brace-format",) if "{" in str(message) else ()
            catalog.add(
                message, locations=[where], auto_comments=comments, context=context, flags=flags
            )
    _protocol_labels(catalog)
    return catalog


LABELLED = ("schedule", "checklist", "discharge", "side_effects")


def _protocol_labels(catalog: Any) -> None:
    """The shipped presets' labels, titles, medication names and rule actions: translated
    through the catalogue, so that the presets' text (pinned by every course started on
    them) never changes for a translation."""
    import tomllib

    for path in sorted((ROOT / "resources" / "protocols").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        where = (str(path.relative_to(ROOT)), 0)
        catalog.add(
            data["title"], locations=[where], auto_comments=[f"protocol {data['id']}: title"]
        )
        for rule in data.get("vital_rules", ()):
            if rule.get("action"):
                catalog.add(
                    rule["action"],
                    locations=[where],
                    auto_comments=[f"protocol {data['id']}: vital_rules {rule['id']} action"],
                )
        for name in data.get("dosing", {}).get("medications", ()):
            catalog.add(
                name, locations=[where], auto_comments=[f"protocol {data['id']}: medication"]
            )
        for section in LABELLED:
            for item in data.get(section, ()):
                catalog.add(
                    item["label"],
                    locations=[where],
                    auto_comments=[f"protocol {data['id']}: {section} {item['id']}"],
                )


def _write_po(path: Path, catalog: object, **options: bool) -> None:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=False, sort_output=True, no_location=True, **options)  # type: ignore[arg-type]
    path.write_bytes(buffer.getvalue())


def _read_po(path: Path, locale: str | None = None) -> object:
    from babel.messages.pofile import read_po

    with path.open("rb") as fp:
        return read_po(fp, locale=locale)


def extract() -> None:
    """Sources -> kapdesk.pot and each <ll_CC>.po (kept translations, new strings empty,
    vanished ones dropped), and each kapdesk_<ll_CC>.ts."""
    pot = template()
    _write_po(TEMPLATE, pot)
    for stem in languages():
        po_path = FOLDER / f"{stem}.po"
        catalog = _read_po(po_path, stem)
        catalog.update(pot, update_header_comment=False, no_fuzzy_matching=True)  # type: ignore[attr-defined]
        catalog.obsolete.clear()  # type: ignore[attr-defined]
        _write_po(po_path, catalog, ignore_obsolete=True)
    lupdate((FOLDER / f"kapdesk_{stem}.ts" for stem in languages()), drop_vanished=True)


def compile_all() -> None:
    """Each .po -> .mo, each .ts -> .qm."""
    from babel.messages.mofile import write_mo

    for stem in languages():
        buffer = io.BytesIO()
        write_mo(buffer, _read_po(FOLDER / f"{stem}.po", stem))  # type: ignore[arg-type]
        (FOLDER / f"{stem}.mo").write_bytes(buffer.getvalue())
        ts = FOLDER / f"kapdesk_{stem}.ts"
        qm = FOLDER / f"kapdesk_{stem}.qm"
        subprocess.run([_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def ts_problems(path: Path) -> list[str]:
    """Entries of a .ts file not translated, obsolete or vanished: one line each."""
    problems = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = "" if translation is None else translation.get("type", "")
            text = "" if translation is None else "".join(translation.itertext())
            if kind or not text.strip():
                problems.append(
                    f"{path.name}: {name}: {message.findtext('source')!r} is {kind or 'empty'}"
                )
    return problems


def po_problems(path: Path) -> list[str]:
    """Entries of a .po file not translated, fuzzy or obsolete: one line each."""
    catalog = _read_po(path)
    problems = [
        f"{path.name}: {m.id!r} is {'fuzzy' if m.fuzzy else 'untranslated'}"
        for m in catalog  # type: ignore[attr-defined]
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    problems += [f"{path.name}: {key!r} is obsolete" for key in catalog.obsolete]  # type: ignore[attr-defined]
    return problems


def new_language(tag: str) -> Path:
    """Start ``tag`` (e.g. 'es-ES'): an empty .po from the template and an empty .ts."""
    from babel.messages.catalog import Catalog

    stem = file_stem(tag)
    po_path = FOLDER / f"{stem}.po"
    catalog = Catalog(
        locale=stem,
        project=PROJECT,
        charset="utf-8",
        fuzzy=False,
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
    )
    catalog.update(_read_po(TEMPLATE), no_fuzzy_matching=True)  # type: ignore[arg-type]
    _write_po(po_path, catalog)
    ts = FOLDER / f"kapdesk_{stem}.ts"
    ts.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
        f'<TS version="2.1" language="{stem}"></TS>\n',
        encoding="utf-8",
    )
    lupdate([ts])
    return po_path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else ""
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "new" and len(args) == 2:
        print(f"started {new_language(args[1])}: translate it, then extract and compile")
    elif command == "check":
        problems = [
            line
            for stem in languages()
            for line in (
                *po_problems(FOLDER / f"{stem}.po"),
                *ts_problems(FOLDER / f"kapdesk_{stem}.ts"),
            )
        ]
        print("\n".join(problems) or "every translation is complete")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
