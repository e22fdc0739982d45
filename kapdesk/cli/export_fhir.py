"""`kapdesk export fhir (--patient MRN | --all) -o OUT`: FHIR R4, through
:class:`kapdesk.services.fhir_export.FhirExportService`.

One patient: a transaction Bundle (JSON) in the file OUT. The whole clinic: Bulk-Data
NDJSON in the folder OUT, one ``<ResourceType>.ndjson`` per type, one resource a line,
streamed (each file is written as ``.part`` and renamed when the export is complete).
Audited once the output is written (export.fhir_console, the OS user as the actor).
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kapdesk.cli.options import cannot_write, open_context, write_output
from kapdesk.cli.parser import EXIT_OK, CliError
from kapdesk.i18n import _, _n

if TYPE_CHECKING:
    from kapdesk.cli.parser import _Commands
    from kapdesk.domain.fhir_resources import Resource
    from kapdesk.services.fhir_export import FhirExportService


def add_fhir_parser(kinds: _Commands) -> None:
    """``kapdesk export fhir`` in the ``export`` group (kapdesk.cli.export_csv)."""
    from kapdesk.cli.parser import _add_db

    fhir = kinds.add_parser(
        "fhir",
        help=_(
            "FHIR R4: one patient as a transaction Bundle (JSON file), or every patient "
            "as Bulk-Data NDJSON (a folder, one file per resource type)"
        ),
    )
    _add_db(fhir)
    which = fhir.add_mutually_exclusive_group(required=True)
    which.add_argument("--patient", metavar="MRN", help=_("the patient with this MRN"))
    which.add_argument("--all", action="store_true", help=_("every patient of the clinic"))
    fhir.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help=_("the Bundle file, or with --all a folder"),
    )


def cmd_export(args: argparse.Namespace) -> int:
    from kapdesk.services.fhir_export import FhirExportService

    out = Path(args.output).expanduser()
    if args.all and out.exists() and not out.is_dir():
        raise CliError(
            _("-o {out} is a file; with --all give a folder for the NDJSON files.", out=out)
        )
    if args.all and out.is_dir() and any(out.iterdir()):
        # an earlier export's file of a type this one lacks would be loaded with it
        raise CliError(_("-o {out}: the folder is not empty; give a new or empty folder.", out=out))
    if not args.all and out.is_dir():
        raise CliError(
            _("-o {out} is a folder; give the Bundle's file name (e.g. patient.json).", out=out)
        )
    ctx = open_context(args)
    try:
        service = FhirExportService(ctx)
        if args.all:
            _make_folder(out)  # once the database is open: a wrong --db makes no folder
            counts = _write_ndjson(service, out)
            service.audit_console_export("all", counts, target=str(out))
        else:
            export = service.patient_bundle(args.patient)
            counts = Counter(e["resource"]["resourceType"] for e in export.bundle["entry"])
            write_output(
                out, (json.dumps(export.bundle, ensure_ascii=False, indent=1) + "\n").encode()
            )
            service.audit_console_export(
                "patient", counts, target=str(out), patient_id=export.patient_id
            )
    finally:
        ctx.db.close()
    what = ", ".join(f"{t} {n}" for t, n in sorted(counts.items()))
    total = sum(counts.values())
    print(
        _n(  # English says "resources" for any number, as it always did
            "Wrote {out}: {n} FHIR R4 resources ({what}).",
            "Wrote {out}: {n} FHIR R4 resources ({what}).",
            total,
            out=out,
            what=what,
        )
    )
    return EXIT_OK


def _make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(
            _("-o {out}: cannot make the folder: {error}.", out=out, error=exc.strerror or exc)
        ) from None


def _write_ndjson(service: FhirExportService, out: Path) -> Counter[str]:
    files: dict[str, IO[str]] = {}
    counts: Counter[str] = Counter()
    try:
        with service.all_resources() as resources:
            for resource in resources:
                kind = str(resource["resourceType"])
                if kind not in files:
                    files[kind] = (out / f"{kind}.ndjson.part").open("w", encoding="utf-8")
                files[kind].write(_line(resource))
                counts[kind] += 1
        for kind, file in files.items():
            file.close()
            os.replace(out / f"{kind}.ndjson.part", out / f"{kind}.ndjson")
    except OSError as exc:
        raise CliError(cannot_write(out, exc)) from None
    finally:
        for kind, file in files.items():
            file.close()
            (out / f"{kind}.ndjson.part").unlink(missing_ok=True)
    return counts


def _line(resource: Resource) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"
