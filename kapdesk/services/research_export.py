"""`kapdesk export csv`: the clinic's records as CSV files for research, with a data dictionary.

One file per kind (:data:`~kapdesk.domain.research_columns.FILES`) and
``data_dictionary.csv``, written from one snapshot of the database, streamed (a chunk of
rows in memory at a time: a clinic of a million readings takes as little memory as a
small one). Every cell is neutralized (kapdesk.domain.research.neutralize).

``deidentify``: ids become keyed pseudonyms, each patient's moments and dates move by the
patient's secret offset, ages of 90 and over read ``90+``, and MRN, names, date of birth
and free text are left out (kapdesk.domain.research_columns says which column gets what).
The key is the clinic's (kapdesk.services.research_key), made on the first such export.

The folder: new, or empty; one that holds anything is refused unless ``overwrite``, which
replaces the export's own files in it and leaves any other file alone. The files are
written to a hidden folder beside it, flushed to disk (fsync), and only then moved into
place: an export that fails part-way leaves no half-written file where the export goes.

Audited once, before the files are moved into place: ``export.csv_console`` on entity
``database`` by the console user, naming the files (kinds), whether de-identified, and the
rows of each file; never a patient.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.research import Pseudonymizer, neutralize
from kapdesk.domain.research_columns import (
    DICTIONARY_FILE,
    DICTIONARY_HEADER,
    FILES,
    dictionary_rows,
)
from kapdesk.i18n import _, _n
from kapdesk.services.console import audit_console
from kapdesk.services.context import ServiceContext
from kapdesk.services.research_key import research_key
from kapdesk.services.research_rows import ROWS, Shape

AUDIT_ACTION = "export.csv_console"


class ExportFolderError(KapdeskError):
    """The folder given for the export cannot take it (nothing was written)."""


@dataclass(frozen=True)
class CsvExport:
    folder: Path
    deidentified: bool
    rows: dict[str, int]  # file name -> data rows (the header not counted)
    key_created: bool = False

    @property
    def files(self) -> tuple[str, ...]:
        return (*self.rows, DICTIONARY_FILE)


def export_names() -> tuple[str, ...]:
    """Every file an export writes."""
    return (*FILES, DICTIONARY_FILE)


def check_folder(folder: Path, *, overwrite: bool = False) -> None:
    """Refuse a folder the export cannot go to (ExportFolderError), before any work."""
    parent = folder.parent
    if folder.exists() and not folder.is_dir():
        raise ExportFolderError(
            _("-o {folder}: that is a file; give a folder for the CSV files.", folder=folder)
        )
    if not parent.is_dir():
        raise ExportFolderError(
            _("-o {folder}: the folder {parent} does not exist.", folder=folder, parent=parent)
        )
    if folder.is_dir() and not overwrite:
        entries = sum(1 for _entry in folder.iterdir())
        if entries:
            raise ExportFolderError(
                _n(
                    "-o {folder}: the folder is not empty ({n} entry); give a new or empty "
                    "folder, or --overwrite to replace the export's files in it.",
                    "-o {folder}: the folder is not empty ({n} entries); give a new or empty "
                    "folder, or --overwrite to replace the export's files in it.",
                    entries,
                    folder=folder,
                )
            )
    where = folder if folder.is_dir() else parent
    if not os.access(where, os.W_OK | os.X_OK) or not os.access(parent, os.W_OK | os.X_OK):
        raise ExportFolderError(
            _("-o {folder}: cannot write there: permission denied.", folder=folder)
        )


def export_csv(
    ctx: ServiceContext, folder: Path, *, deidentify: bool, overwrite: bool = False
) -> CsvExport:
    """Write the export to ``folder`` (see the module docstring); returns what was written."""
    check_folder(folder, overwrite=overwrite)
    key_created = False
    pseudo = None
    if deidentify:
        key, key_created = research_key(ctx)
        pseudo = Pseudonymizer(key)
    shape = Shape(today=ctx.now().date(), pseudo=pseudo)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        rows: dict[str, int] = {}
        with ctx.db.read() as s:  # one snapshot: the ids of every file join
            for name, columns in FILES.items():
                keep = [i for i, c in enumerate(columns) if not (deidentify and c.removed)]
                header = [columns[i].name for i in keep]
                cells = ([row[i] for i in keep] for row in ROWS[name](s, shape))
                rows[name] = _write(work / name, header, cells)
        _write(work / DICTIONARY_FILE, list(DICTIONARY_HEADER), dictionary_rows())
        _sync_folder(work)
        _check_targets(folder)  # before the audit: what cannot be replaced is refused now
        kinds = [name.removesuffix(".csv") for name in FILES]
        after = {"kinds": kinds, "deidentified": deidentify, "rows": rows}
        audit_console(ctx, AUDIT_ACTION, after=after)
        _move_into(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return CsvExport(folder, deidentify, rows, key_created)


def _write(path: Path, header: list[str], rows: Iterable[Iterable[str]]) -> int:
    """One UTF-8 CSV file with ``header``, every cell neutralized, synced; its row count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([neutralize(h) for h in header])
        for row in rows:
            writer.writerow([neutralize(cell) for cell in row])
            count += 1
        out.flush()
        os.fsync(out.fileno())
    return count


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder: its renames are journaled anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_targets(folder: Path) -> None:
    """Refuse an export whose file in ``folder`` is something else (a folder)."""
    for name in export_names():
        target = folder / name
        if target.exists() and not target.is_file():
            raise ExportFolderError(
                _(
                    "{target} is not a file; move it away and export again (nothing in "
                    "{folder} was changed).",
                    target=target,
                    folder=folder,
                )
            )


def _move_into(work: Path, folder: Path) -> None:
    """The written files into ``folder``: the whole folder renamed when ``folder`` is new
    (or empty), else every file replaced or none (other files in it stay): the old files
    are moved aside first and back if a replace fails, so a folder never holds files of
    two exports (one de-identified, one not)."""
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    if not folder.exists():
        os.rename(work, folder)
    else:
        _replace_all(work, folder)
        _sync_folder(folder)
    _sync_folder(folder.parent)


def _replace_all(work: Path, folder: Path) -> None:
    aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    kept: list[str] = []  # moved aside
    placed: list[str] = []  # moved in
    try:
        for name in export_names():
            if (folder / name).exists():
                os.replace(folder / name, aside / name)
                kept.append(name)
        for name in export_names():
            os.replace(work / name, folder / name)
            placed.append(name)
    except OSError as exc:
        for name in placed:
            os.replace(folder / name, work / name)
        for name in kept:
            os.replace(aside / name, folder / name)
        raise ExportFolderError(
            _(
                "{folder}: the export's files could not be replaced ({problem}); nothing in "
                "it was changed.",
                folder=folder,
                problem=exc.strerror or exc,
            )
        ) from exc
    finally:
        shutil.rmtree(aside, ignore_errors=True)
