"""GUI benchmark: Print summary… of a dosing session, up to the preview painted (issue 13).

    python tests/bench/bench_print.py preview --db COPY --end ISO --sessions ID,ID,...
    python tests/bench/bench_print.py preview-floor --db COPY --n N

Each child is a fresh process running the real app (``bench_app``: the app's own
QApplication with its stylesheet, the clinic opened as ``run_gui`` opens it, not as
a demo, a clinician signed in through the sign-in window, the main window shown).
For each session in turn (a new one each time) the session page is opened
(``MainWindow.open_session``, untimed, painted and idle), then its "Print summary…"
action is triggered, as Ctrl+P does: ``ReportActions.print_summary`` (the session's
title, the audited "preview" PDF from ``ReportService`` with the demo check, pdfium
pages, the preview dialog opened). Timed from the trigger to the first page painted
and to the event loop idle after. The first print in the process is cold (reportlab,
its fonts and pypdfium2 are loaded then) and is reported apart from the later ones.

Floor: a one-page reportlab PDF (DejaVu Sans registered from the same package folder,
one line of text), rendered by pypdfium2 at the same resolution into a QLabel in a
QScrollArea in a QDialog, under the same stylesheet, opened, painted, idle; the first
one in a fresh process is timed with the imports of reportlab and pypdfium2.

:func:`print_rows` drives the children and builds the rows for ``run_all.py``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_app import PaintWatch, now_ms, open_clinic, real_qapp, run_until, sign_in, wait_idle
from table import Row, row

TARGET_PREVIEW_MS = 150.0
WARM_PRINTS = 3  # warm prints per process, each of another long session


def _until_painted(widget: Any, start: float, what: str) -> dict[str, float]:
    watch = PaintWatch(widget)
    run_until(lambda: watch.done, 30_000, what)
    painted = (watch.painted_ms or 0.0) - start
    return {"painted": painted, "input": max(painted, (watch.idle_ms or 0.0) - start)}


def preview(db: Path, end: datetime, sessions: list[int]) -> list[dict[str, Any]]:
    real_qapp()
    window, _ = sign_in(open_clinic(db, end))
    out: list[dict[str, Any]] = []
    for session_id in sessions:
        window.open_session(session_id)
        page = window.session_page
        if page is None or window.session_id != session_id:
            raise RuntimeError(f"session {session_id} did not open")
        wait_idle()
        run_until(page.isVisible, 30_000, "session page shown")
        wait_idle()
        start = now_ms()
        page.report_actions.print_action.trigger()  # what Ctrl+P does on the session page
        dialog = page.report_actions.dialog
        if dialog is None:
            raise RuntimeError(f"no preview for session {session_id}")
        got = _until_painted(dialog.page_views[0], start, "preview page")
        got["pages"] = dialog.page_count()
        out.append(got)
        dialog.reject()
        wait_idle()
    return out


def _one_page_pdf() -> bytes:
    from importlib.resources import files

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        data = (files("kapdesk.resources") / "fonts" / "DejaVuSans.ttf").read_bytes()
        pdfmetrics.registerFont(TTFont("DejaVuSans", io.BytesIO(data)))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setFont("DejaVuSans", 11)
    pdf.drawString(72, 720, "Session summary - Nguyễn, Thị Lan - 2026-03-02")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def preview_floor(n: int) -> list[dict[str, float]]:
    from PySide6.QtGui import QImage, QPixmap
    from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout

    real_qapp()
    out: list[dict[str, float]] = []
    for _ in range(n):
        start = now_ms()
        import pypdfium2 as pdfium  # timed in the first round only (then it is loaded)

        doc = pdfium.PdfDocument(_one_page_pdf())
        dialog = QDialog()
        label = QLabel()
        dpi = dialog.logicalDpiX() * dialog.devicePixelRatioF()
        bitmap = doc[0].render(scale=dpi / 72, fill_color=(255, 255, 255, 255))
        pixels = bytes(bitmap.buffer)
        image = QImage(pixels, bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format.Format_RGB32).copy()  # fmt: skip
        label.setPixmap(QPixmap.fromImage(image))
        scroller = QScrollArea()
        scroller.setWidget(label)
        QVBoxLayout(dialog).addWidget(scroller)
        dialog.resize(900, 1000)
        dialog.open()
        out.append(_until_painted(label, start, "floor page"))
        dialog.reject()
        doc.close()
        wait_idle()
    return out


# ---------------------------------------------------------------- the parent's side


def long_sessions(db: Path, n: int) -> list[tuple[int, int, int]]:
    """The ``n`` sessions with the most vital-sign readings, then the longest note text:
    (session id, readings, note characters)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = conn.execute(
            "SELECT session_id, count(*) n FROM vital_readings GROUP BY session_id "
            "ORDER BY n DESC, session_id LIMIT ?",
            (n * 20,),
        ).fetchall()
        found = []
        for sid, readings in top:
            (chars,) = conn.execute(
                "SELECT coalesce(sum(length(body)), 0) FROM notes WHERE dosing_session_id = ?",
                (sid,),
            ).fetchone()
            found.append((int(sid), int(readings), int(chars)))
    finally:
        conn.close()
    return sorted(found, key=lambda s: (-s[1], -s[2], s[0]))[:n]


def child(what: str, db: Path, *extra: str) -> Any:
    cmd = [sys.executable, str(Path(__file__).resolve()), what, "--db", str(db), *extra]
    done = subprocess.run(cmd, env={**os.environ}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench_print {what} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_rows(work: Path, end: datetime, runs: int, label: str = "big clinic") -> list[Row]:
    per = 1 + WARM_PRINTS
    chosen = long_sessions(work, runs * per)
    cold: list[dict[str, Any]] = []
    warm: list[dict[str, Any]] = []
    f_cold: list[dict[str, float]] = []
    f_warm: list[dict[str, float]] = []
    for i in range(runs):
        ids = ",".join(str(s[0]) for s in chosen[i * per : (i + 1) * per])
        got = child("preview", work, "--end", end.isoformat(), "--sessions", ids)
        cold.append(got[0])
        warm += got[1:]
        floor = child("preview-floor", work, "--n", str(per))
        f_cold.append(floor[0])
        f_warm += floor[1:]
    readings = sorted({s[1] for s in chosen})
    chars = sorted(s[2] for s in chosen)
    what = (f"sessions of {readings[0]}-{readings[-1]} readings, "
            f"{chars[0]:,}-{chars[-1]:,} characters of notes")  # fmt: skip
    floor = ("a one-page reportlab PDF (DejaVu Sans, one line) rendered by pypdfium2 into a "
             "QLabel in a QDialog, same stylesheet, opened, painted, idle")  # fmt: skip

    def note(opens: list[dict[str, Any]], fl: list[dict[str, float]]) -> str:
        painted = sorted(o["painted"] for o in opens)[len(opens) // 2]
        f_painted = sorted(f["painted"] for f in fl)[len(fl) // 2]
        pages = sorted({o["pages"] for o in opens})
        return (f"end point: the preview accepting input; first page painted at {painted:.0f} "
                f"ms (floor {f_painted:.0f} ms); {len(opens)} prints, a new session each "
                f"({what}; {'/'.join(map(str, pages))} pages)")  # fmt: skip

    return [
        row(f"GUI print preview of a session summary, first print in a process (cold), {label}",
            [o["input"] for o in cold], [f["input"] for f in f_cold],
            floor + "; the first in a fresh process, reportlab and pypdfium2 imported",
            note=note(cold, f_cold)),
        row(f"GUI print preview of a session summary (warm), {label}",
            [o["input"] for o in warm], [f["input"] for f in f_warm], floor,
            limit=TARGET_PREVIEW_MS, note=note(warm, f_warm)),
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["preview", "preview-floor"])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--end", type=datetime.fromisoformat)
    parser.add_argument("--sessions", type=lambda v: [int(x) for x in v.split(",")])
    parser.add_argument("--n", type=int, default=1 + WARM_PRINTS)
    a = parser.parse_args()
    if a.what == "preview":
        result: Any = preview(a.db, a.end, a.sessions)
    else:
        result = preview_floor(a.n)
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip Qt teardown: nothing is measured after this


if __name__ == "__main__":
    raise SystemExit(main())
