"""Printing and saving summaries: "Print summary…" (a preview, then the system print dialog)
and "Save as PDF…", for a dosing session or a treatment course.

Decisions a caller must know:

* Every document comes from ``ReportService`` and each request is audited with
  its purpose: opening the preview asks for ``"preview"``, the Print… button
  asks again for ``"print"`` and prints exactly those bytes, Save as PDF…
  asks for ``"save"`` and writes exactly those bytes. Pages on screen and on
  paper are pdfium renderings of the PDF itself (``kapdesk.ui.pdf_pages``).
* The file chooser and the print dialog go through ``SavePath.ask`` and
  ``PrintSetup.ask`` (tests replace them). A save goes to a temporary file
  beside the target first, so an unwritable folder is reported before anything
  is printed or audited, and a failed save never leaves half a PDF behind.
* ``ReportActions`` gives a page the two QActions (Ctrl+P, Ctrl+Shift+S,
  active while the page is visible), disabled for roles without PRINT_REPORT
  (refreshed on ``actor_changed``); the service refuses them anyway.
* The PDF is built on the GUI thread under a busy cursor (~60 ms of CPU for a
  3-page session summary); the preview paints once the page in view is rendered, the
  others follow (``kapdesk.ui.print_preview``).
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QCoreApplication, QObject, QRectF, QStandardPaths, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMainWindow, QToolButton, QWidget

from kapdesk.domain.errors import KapdeskError, PermissionDenied
from kapdesk.domain.permissions import Action, can
from kapdesk.i18n.formats import medium_date
from kapdesk.ui.errors import show_error
from kapdesk.ui.pdf_pages import PdfPages

if TYPE_CHECKING:
    from kapdesk.services.course_print import Purpose
    from kapdesk.services.dtos import CourseInfo, PatientInfo
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.print_preview import ReportPreviewDialog

PRINT_KEYS = "Ctrl+P"
SAVE_KEYS = "Ctrl+Shift+S"
PRINT_DPI = 300.0  # page images sent to the printer: sharp text, bounded memory
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l",
                       "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "œ": "oe",
                       "Œ": "OE", "ı": "i"})  # fmt: skip


class PrintFailed(KapdeskError):
    """The printer could not be started or refused a page."""


def ascii_name(text: str) -> str:
    """'Ní Bhriain' -> 'Ni-Bhriain': letters folded to ASCII, anything else a single '-'."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-") or "patient"


@dataclass(frozen=True)
class ReportTarget:
    """One document to print: a session summary or a course summary."""

    kind: Literal["session", "course"]
    entity_id: int
    title: str  # "Session summary – Simões, Conceição – 2026-03-02"
    file_name: str  # "session-55-Simoes-2026-03-02.pdf"

    def generate(self, app: AppContext, purpose: Purpose) -> bytes:
        from kapdesk.reports.pdf import PDF
        from kapdesk.services.reports import ReportService

        actor = app.actor
        if actor is None:
            signed_out = QCoreApplication.translate("ReportActions", "Sign in to print.")
            raise PermissionDenied("nobody", Action.PRINT_REPORT.value, signed_out)
        service = ReportService(app.ctx, renderer=PDF)
        demo = app.demo or service.is_demo_database()
        if self.kind == "session":
            return service.session_summary_pdf(actor, self.entity_id, demo=demo, purpose=purpose)
        return service.course_summary_pdf(actor, self.entity_id, demo=demo, purpose=purpose)


def session_target(app: AppContext, session_id: int) -> ReportTarget:
    from kapdesk.services.patients import PatientService
    from kapdesk.services.sessions import SessionService

    session = SessionService(app.ctx).get(session_id)
    patient = PatientService(app.ctx).get(session.patient_id)
    day = session.scheduled_at.astimezone().date()
    title = QCoreApplication.translate("ReportActions", "Session summary – {name} – {day}")
    return ReportTarget(
        "session",
        session_id,
        title.format(name=patient.display_name, day=medium_date(day)),
        f"session-{session_id}-{ascii_name(patient.family_name)}-{day.isoformat()}.pdf",
    )


def course_target(app: AppContext, course: CourseInfo, patient: PatientInfo) -> ReportTarget:
    """A course summary changes as the course goes on: the file is named by today's date.
    The course and patient as the chart read them (it reads nothing of its own)."""
    course_id = course.id
    today = app.now().astimezone().date().isoformat()
    title = QCoreApplication.translate("ReportActions", "Course summary – {name} – from {day}")
    return ReportTarget(
        "course",
        course_id,
        title.format(name=patient.display_name, day=medium_date(course.started_on)),
        f"course-{course_id}-{ascii_name(patient.family_name)}-{today}.pdf",
    )


def may_print(app: AppContext) -> bool:
    actor = app.actor
    return actor is not None and can(actor.role, Action.PRINT_REPORT)


@contextmanager
def busy() -> Iterator[None]:
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


# ---------------------------------------------------------------- questions


class SavePath:
    @classmethod
    def ask(cls, parent: QWidget | None, suggested: Path) -> Path | None:
        """The file to save to (with a .pdf suffix), or None when cancelled."""
        name, _ = QFileDialog.getSaveFileName(
            parent,
            QCoreApplication.translate("ReportActions", "Save summary as PDF"),
            str(suggested),
            QCoreApplication.translate("ReportActions", "PDF documents (*.pdf)"),
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


class PrintSetup:
    @classmethod
    def ask(cls, parent: QWidget | None, printer: QPrinter, page_count: int) -> bool:
        """The system print dialog on ``printer``; True to print."""
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(QCoreApplication.translate("ReportActions", "Print summary"))
        opt = QAbstractPrintDialog.PrintDialogOption
        for option in (opt.PrintPageRange, opt.PrintCurrentPage, opt.PrintToFile):
            dialog.setOption(option, True)
        dialog.setOption(opt.PrintSelection, False)
        dialog.setMinMax(1, max(page_count, 1))
        return dialog.exec() == QPrintDialog.DialogCode.Accepted


def suggested_path(target: ReportTarget) -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder or Path.home()) / target.file_name


# ---------------------------------------------------------------- saving


def write_atomically(path: Path, make: Callable[[], bytes]) -> None:
    """Write ``make()`` to ``path`` through a temporary file in the same folder.

    The temporary file is created before ``make`` runs, so an unwritable folder
    fails before the (audited) document is made. OSError propagates.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(make())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_report(parent: QWidget | None, app: AppContext, target: ReportTarget) -> Path | None:
    """Ask where, then write the audited "save" PDF there. The path, or None."""
    path = SavePath.ask(parent, suggested_path(target))
    if path is None:
        return None
    try:
        with busy():
            write_atomically(path, lambda: target.generate(app, "save"))
    except KapdeskError as exc:
        show_error(parent, exc, title=QCoreApplication.translate("ReportActions", "Save as PDF"))
        return None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        text = QCoreApplication.translate(
            "ReportActions",
            "The PDF could not be saved to {path}: {reason}. Choose another folder.",
        )
        show_error(
            parent,
            text.format(path=path, reason=reason),
            title=QCoreApplication.translate("ReportActions", "Save as PDF"),
        )
        return None
    window = parent.window() if parent is not None else None
    if isinstance(window, QMainWindow):
        saved = QCoreApplication.translate("ReportActions", "Saved {title} to {path}")
        window.statusBar().showMessage(saved.format(title=target.title, path=path), 8000)
    return path


# ---------------------------------------------------------------- printing


def page_sequence(printer: QPrinter, page_count: int, current: int = 0) -> list[int]:
    """The 0-based pages to send, from the range, order and copies chosen in the dialog."""
    rng = QPrinter.PrintRange
    if printer.printRange() == rng.PageRange and printer.fromPage() > 0:
        first = max(printer.fromPage(), 1)
        last = min(printer.toPage() or page_count, page_count)
        pages = list(range(first - 1, last))
    elif printer.printRange() == rng.CurrentPage:
        pages = [min(max(current, 0), page_count - 1)] if page_count else []
    else:
        pages = list(range(page_count))
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        pages.reverse()
    # Printers that cannot make copies themselves (rare; without CUPS) get the pages again.
    copies = 1 if printer.supportsMultipleCopies() else max(printer.copyCount(), 1)
    if copies == 1:
        return pages
    if printer.collateCopies():
        return pages * copies
    return [p for p in pages for _ in range(copies)]


def match_paper(printer: QPrinter, pages: PdfPages) -> None:
    """Preselect the document's own paper size and orientation (A4 portrait, usually)."""
    if not len(pages):
        return
    size = pages.sizes[0]
    landscape = size.width > size.height
    portrait = size.qsize().transposed() if landscape else size.qsize()
    page_size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    orient = QPageLayout.Orientation
    printer.setPageSize(page_size)
    printer.setPageOrientation(orient.Landscape if landscape else orient.Portrait)


def paint_pages(printer: QPrinter, pages: PdfPages, sequence: list[int]) -> int:
    """Each page image fitted (never enlarged) and centred on the paper. Pages painted."""
    printer.setFullPage(True)  # the PDF carries its own margins
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(
            QCoreApplication.translate(
                "ReportActions", "The printer could not be started. Check that it is connected."
            )
        )
    try:
        res = printer.resolution()
        dpi = min(float(res), PRINT_DPI)
        area = QRectF(0, 0, printer.width(), printer.height())
        for n, index in enumerate(sequence):
            if n and not printer.newPage():
                refused = QCoreApplication.translate(
                    "ReportActions", "The printer refused page {number}."
                )
                raise PrintFailed(refused.format(number=index + 1))
            size = pages.sizes[index]
            w, h = size.width / 72 * res, size.height / 72 * res
            k = min(1.0, area.width() / w, area.height() / h)
            box = QRectF(0, 0, w * k, h * k)
            box.moveCenter(area.center())
            painter.drawImage(box, pages.image(index, dpi))
    finally:
        painter.end()
    return len(sequence)


def print_report(
    parent: QWidget | None,
    app: AppContext,
    target: ReportTarget,
    preview: PdfPages,
    *,
    current_page: int = 0,
    printer: QPrinter | None = None,
) -> bool:
    """The print dialog, then the audited "print" PDF to the chosen printer. True if sent.

    ``preview`` (the document on screen) sets the page range offered and the paper.
    """
    printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(target.title)
    match_paper(printer, preview)
    if not PrintSetup.ask(parent, printer, len(preview)):
        return False
    try:
        with busy():
            pages = PdfPages(target.generate(app, "print"))
            try:
                paint_pages(printer, pages, page_sequence(printer, len(pages), current_page))
            finally:
                pages.close()
    except KapdeskError as exc:
        show_error(parent, exc, title=QCoreApplication.translate("ReportActions", "Print summary"))
        return False
    return True


def open_preview(
    parent: QWidget | None, app: AppContext, target: ReportTarget
) -> ReportPreviewDialog | None:
    """Build the audited "preview" PDF and show it (window-modal, not blocking)."""
    from kapdesk.ui.print_preview import ReportPreviewDialog

    try:
        with busy():
            dialog = ReportPreviewDialog(app, target, target.generate(app, "preview"), parent)
    except KapdeskError as exc:
        show_error(parent, exc, title=QCoreApplication.translate("ReportActions", "Print summary"))
        return None
    dialog.open()
    return dialog


# ---------------------------------------------------------------- page actions


class ReportActions(QObject):
    """The page's "Print summary…" and "Save as PDF…" actions. ``target`` says what the
    page shows now (None: nothing printable, e.g. a chart without a course)."""

    def __init__(
        self,
        app: AppContext,
        host: QWidget,
        target: Callable[[], ReportTarget | None],
        *,
        nothing: str | None = None,
        print_text: str | None = None,
    ) -> None:
        """``nothing``: why nothing prints (default "There is nothing to print here.");
        ``print_text``: the print action's text (default "Print summary…")."""
        super().__init__(host)
        self.app, self.host, self.target = app, host, target
        self.nothing = nothing or self.tr("There is nothing to print here.")
        self.dialog: ReportPreviewDialog | None = None
        text = print_text or self.tr("Print summary…")
        self.print_action = self._action(text, PRINT_KEYS, self.print_summary)
        self.save_action = self._action(self.tr("Save as PDF…"), SAVE_KEYS, self.save_pdf)
        app.signals.actor_changed.connect(self.update)
        self.update()

    def _action(self, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.host)
        action.setIconText(text)  # tool buttons show the icon text; the default drops the "…"
        action.setShortcut(QKeySequence(keys))
        # Window-wide, but only while the page is visible: pages in a stack never clash.
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.host.addAction(action)
        return action

    def buttons(self) -> QWidget:
        """The two actions as tool buttons, for the page's header."""
        box = QWidget(self.host)
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        for action in (self.print_action, self.save_action):
            button = QToolButton(box)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            lay.addWidget(button)
        return box

    def update(self) -> None:
        """Enable for roles with PRINT_REPORT when there is something to print."""
        allowed = may_print(self.app)
        try:
            has_target = allowed and self.target() is not None
        except KapdeskError:  # e.g. the database is busy: the next refresh tries again
            has_target = False
        why = ""
        if not allowed:
            why = (
                self.tr("Your role may not print a report.")
                if self.app.actor
                else self.tr("Sign in to print.")
            )
        elif not has_target:
            why = self.nothing
        for action, keys in ((self.print_action, PRINT_KEYS), (self.save_action, SAVE_KEYS)):
            action.setEnabled(allowed and has_target)
            label = action.text().rstrip("…")
            action.setToolTip(why or self.tr("{action} ({keys})").format(action=label, keys=keys))

    def _current(self) -> ReportTarget | None:
        try:
            found = self.target()
        except KapdeskError as exc:
            show_error(self.host, exc, title=self.tr("Print summary"))
            return None
        if found is None:
            show_error(self.host, self.nothing, title=self.tr("Print summary"))
        return found

    def print_summary(self) -> ReportPreviewDialog | None:
        target = self._current()
        if target is None:
            return None
        self.dialog = open_preview(self.host, self.app, target)
        return self.dialog

    def save_pdf(self) -> Path | None:
        target = self._current()
        return save_report(self.host, self.app, target) if target is not None else None
