"""Printing and saving summaries from the app: preview, print (to a PDF printer), save,
permissions, the course summary from the chart and the File menu."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QImage, qGray
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from reports.clinic import Clinic, Staff, build_course
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.reports.pdf import PDF
from kapdesk.services.reports import ReportService
from kapdesk.storage.orm import AuditEntry
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.errors import ErrorBox
from kapdesk.ui.main_window import PAGE_TODAY, MainWindow
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.pdf_pages import PdfPages, page_images
from kapdesk.ui.print_preview import ReportPreviewDialog
from kapdesk.ui.printing import (
    PrintSetup,
    SavePath,
    ascii_name,
    open_preview,
    page_sequence,
    print_report,
    save_report,
    session_target,
)
from kapdesk.ui.session.workspace import SessionWorkspace

from .conftest import actor_for, show_main_window
from .helpers_patients import add_patient

A4 = (595.3, 841.9)  # points


@dataclass
class Known:
    app: AppContext
    clinic: Clinic
    patient_id: int
    course_id: int
    session_id: int


@pytest.fixture
def known(app: AppContext, clock: FakeClock) -> Known:
    """The report tests' known session (Conceição Simões, several pages)."""
    staff = Staff(
        nurse=actor_for(app, Role.NURSE),
        therapist=actor_for(app, Role.THERAPIST),
        clinician=actor_for(app, Role.CLINICIAN),
    )
    clinic = Clinic(app.ctx, clock, staff)
    pid, cid = clinic.patient_and_course()
    sid = clinic.known_session(cid)
    return Known(app, clinic, pid, cid, sid)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(ErrorBox, "show", classmethod(lambda cls, p, t, text: shown.append(text)))
    return shown


@pytest.fixture
def save_to(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], list[Path]]:
    """Answer the file chooser with ``path``; returns the suggestions it was given."""

    def answer(path: Path) -> list[Path]:
        suggested: list[Path] = []

        def ask(cls: type, parent: QWidget | None, proposal: Path) -> Path:
            suggested.append(proposal)
            return path

        monkeypatch.setattr(SavePath, "ask", classmethod(ask))
        return suggested

    return answer


def print_to_file(
    monkeypatch: pytest.MonkeyPatch, out: Path, setup: Callable[[QPrinter], None] = lambda p: None
) -> list[int]:
    """Answer the print dialog: a PDF printer writing ``out``. Returns the page counts offered."""
    offered: list[int] = []

    def ask(cls: type, parent: QWidget | None, printer: QPrinter, page_count: int) -> bool:
        offered.append(page_count)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        setup(printer)
        return True

    monkeypatch.setattr(PrintSetup, "ask", classmethod(ask))
    return offered


def report_audit(app: AppContext, action: str = "report.session") -> list[dict[str, object]]:
    with app.ctx.db.read() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return [dict(r.after_data or {}, user_id=r.user_id, entity_id=r.entity_id) for r in rows]


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages
    )


def pypdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def workspace(qtbot: QtBot, known: Known) -> Iterator[SessionWorkspace]:
    known.app.actor = actor_for(known.app, Role.THERAPIST)
    w = SessionWorkspace(known.app, known.session_id)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.stop()


def preview_by_keyboard(qtbot: QtBot, w: SessionWorkspace) -> ReportPreviewDialog:
    qtbot.keyClick(w, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = w.report_actions.dialog
    assert dialog is not None, "Ctrl+P opened no preview"
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def ink(image: QImage) -> int:
    """How many sampled pixels are not white (a blank rendering has none)."""
    white = QColor(Qt.GlobalColor.white).rgb()
    return sum(
        image.pixel(x, y) != white
        for x in range(0, image.width(), 7)
        for y in range(0, image.height(), 7)
    )


def difference(a: QImage, b: QImage) -> float:
    """Mean grey-level difference (0-255) of two pages seen as 30 x 42 blocks."""

    def grid(image: QImage) -> list[int]:
        small = image.scaled(
            30, 42, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        return [qGray(small.pixel(x, y)) for y in range(42) for x in range(30)]

    pairs = zip(grid(a), grid(b), strict=True)
    return sum(abs(x - y) for x, y in pairs) / (30 * 42)


# ------------------------------------------------------------------ preview


def test_preview_shows_every_page_of_the_audited_pdf(
    qtbot: QtBot, known: Known, workspace: SessionWorkspace
) -> None:
    assert workspace.report_actions.print_action.isEnabled()
    dialog = preview_by_keyboard(qtbot, workspace)
    n = pypdf_pages(dialog.pdf)
    assert n >= 2
    assert dialog.page_count() == n
    assert len(dialog.page_views) == n
    qtbot.waitUntil(dialog.rendered)
    for view in dialog.page_views:
        pixmap = view.pixmap()
        assert not pixmap.isNull()
        size = pixmap.deviceIndependentSize()
        assert size.height() / size.width() == pytest.approx(A4[1] / A4[0], rel=0.01)
        assert ink(pixmap.toImage()) > 100  # text and tables were drawn
    assert dialog.page_label.text() == f"Page 1 of {n}"
    assert not dialog.prev_button.isEnabled()
    dialog.go_to_page(n - 1)
    assert dialog.page_label.text() == f"Page {n} of {n}"
    assert not dialog.next_button.isEnabled()
    assert "Simões, Conceição" in dialog.windowTitle()
    (entry,) = report_audit(known.app)
    assert entry["purpose"] == "preview"
    assert entry["sha256"] == hashlib.sha256(dialog.pdf).hexdigest()
    assert entry["pages"] == n
    assert entry["entity_id"] == str(known.session_id)


def test_the_first_page_is_painted_before_the_others_are_rendered(
    qtbot: QtBot, workspace: SessionWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    log: list[str] = []
    real_image = PdfPages.image

    def image(pages: PdfPages, index: int, dpi: float) -> QImage:
        log.append(f"render {index}")
        return real_image(pages, index, dpi)

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                log.append("paint")
            return False

    monkeypatch.setattr(PdfPages, "image", image)
    paints = Paints()
    real_init = ReportPreviewDialog.__init__

    def init(dialog: ReportPreviewDialog, *args: object) -> None:
        real_init(dialog, *args)  # type: ignore[arg-type]
        dialog.page_views[0].installEventFilter(paints)

    monkeypatch.setattr(ReportPreviewDialog, "__init__", init)
    dialog = preview_by_keyboard(qtbot, workspace)
    n = dialog.page_count()
    qtbot.waitUntil(dialog.rendered)
    assert log[:2] == ["render 0", "paint"]  # the preview shows before pages 2..n are made
    assert sorted(e for e in log if e != "paint") == [f"render {i}" for i in range(n)]
    sizes = {v.size().toTuple() for v in dialog.page_views}
    assert len(sizes) == 1  # A4 throughout: the placeholders had the rendered pages' size


def test_zoom_rerenders_the_pages_larger(qtbot: QtBot, workspace: SessionWorkspace) -> None:
    dialog = preview_by_keyboard(qtbot, workspace)
    before = dialog.page_views[0].pixmap().deviceIndependentSize().width()
    qtbot.keyClick(dialog, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.zoom_percent() == 125
    after = dialog.page_views[0].pixmap().deviceIndependentSize().width()
    assert after == pytest.approx(before * 1.25, abs=2)
    qtbot.waitUntil(dialog.rendered)
    last = dialog.page_views[-1].pixmap().deviceIndependentSize().width()
    assert last == pytest.approx(after, abs=1)
    dialog.step_zoom(-10)
    assert dialog.zoom_percent() == 50


def test_escape_closes_the_preview(qtbot: QtBot, workspace: SessionWorkspace) -> None:
    dialog = preview_by_keyboard(qtbot, workspace)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == ReportPreviewDialog.DialogCode.Rejected


# ------------------------------------------------------------------ save


def test_save_writes_the_audited_pdf_with_the_patient_name(
    qtbot: QtBot,
    known: Known,
    workspace: SessionWorkspace,
    tmp_path: Path,
    save_to: Callable[[Path], list[Path]],
) -> None:
    target = tmp_path / "out" / "summary.pdf"
    target.parent.mkdir()
    suggested = save_to(target)
    dialog = preview_by_keyboard(qtbot, workspace)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert [p.name for p in suggested] == [f"session-{known.session_id}-Simoes-2026-03-02.pdf"]
    data = target.read_bytes()
    text = text_of(data)
    assert "Simões, Conceição" in text
    assert "KAP-0042" in text
    assert pypdf_pages(data) == dialog.page_count()
    preview, save = report_audit(known.app)
    assert (preview["purpose"], save["purpose"]) == ("preview", "save")
    assert save["sha256"] == hashlib.sha256(data).hexdigest()  # the file is what was audited
    assert save["user_id"] == actor_for(known.app, Role.THERAPIST).user_id
    assert dialog.status.text() == f"Saved to {target}"
    assert dialog.isVisible()  # one may print after saving
    assert [p.name for p in target.parent.iterdir()] == ["summary.pdf"]  # no temporary left


def test_save_shortcut_without_preview(
    qtbot: QtBot, known: Known, workspace: SessionWorkspace, tmp_path: Path, save_to
) -> None:
    save_to(tmp_path / "direct.pdf")
    qtbot.keyClick(
        workspace,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert (tmp_path / "direct.pdf").read_bytes().startswith(b"%PDF")
    assert [e["purpose"] for e in report_audit(known.app)] == ["save"]


def test_unwritable_folder_is_reported_before_anything_is_made(
    known: Known, workspace: SessionWorkspace, tmp_path: Path, save_to, errors: list[str]
) -> None:
    target = tmp_path / "no such folder" / "summary.pdf"
    save_to(target)
    assert workspace.report_actions.save_pdf() is None
    assert len(errors) == 1
    assert errors[0].startswith(f"The PDF could not be saved to {target}: ")
    assert "Choose another folder." in errors[0]
    assert not target.parent.exists()
    assert report_audit(known.app) == []  # nothing was printed, nothing audited


def test_an_existing_file_is_replaced_whole(
    known: Known, workspace: SessionWorkspace, tmp_path: Path, save_to
) -> None:
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"old contents " * 50_000)
    save_to(target)
    assert workspace.report_actions.save_pdf() == target
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")


def test_cancelled_save_writes_and_audits_nothing(
    known: Known, workspace: SessionWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SavePath, "ask", classmethod(lambda cls, parent, proposal: None))
    assert workspace.report_actions.save_pdf() is None
    assert report_audit(known.app) == []


# ------------------------------------------------------------------ print


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda p: None, lambda n: n),
        (
            lambda p: (p.setPrintRange(QPrinter.PrintRange.PageRange), p.setFromTo(2, 99)),
            lambda n: n - 1,
        ),
        (lambda p: p.setPrintRange(QPrinter.PrintRange.CurrentPage), lambda n: 1),
    ],
    ids=["all", "range-2-to-end", "current"],
)
def test_print_to_a_pdf_printer(
    qtbot: QtBot,
    known: Known,
    workspace: SessionWorkspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: Callable[[QPrinter], None],
    expected: Callable[[int], int],
) -> None:
    out = tmp_path / "printed.pdf"
    offered = print_to_file(monkeypatch, out, setup)
    dialog = preview_by_keyboard(qtbot, workspace)
    n = dialog.page_count()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Print… is the default button

    assert offered == [n]
    reader = PdfReader(str(out))
    assert len(reader.pages) == expected(n)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=1.5)
    assert [e["purpose"] for e in report_audit(known.app)] == ["preview", "print"]
    assert dialog.printed
    assert dialog.result() == ReportPreviewDialog.DialogCode.Accepted


def test_printed_pages_show_the_document(
    qtbot: QtBot, known: Known, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each printed page is the PDF page's picture: same ink where the PDF has ink."""
    known.app.actor = actor_for(known.app, Role.CLINICIAN)
    out = tmp_path / "printed.pdf"
    print_to_file(monkeypatch, out)
    target = session_target(known.app, known.session_id)
    preview = PdfPages(target.generate(known.app, "preview"))
    assert print_report(None, known.app, target, preview)
    printed, original = page_images(out.read_bytes(), 40), page_images(preview.pdf, 40)
    assert len(printed) == len(original) >= 2
    for a, b in zip(printed, original, strict=True):
        assert a.size() == b.size()
        assert difference(a, b) < 6  # the same page, resampled once more
    assert difference(printed[0], original[1]) > 12  # the measure tells pages apart
    preview.close()


def test_cancelled_print_dialog_prints_and_audits_nothing(
    qtbot: QtBot, known: Known, workspace: SessionWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PrintSetup, "ask", classmethod(lambda cls, parent, printer, n: False))
    dialog = preview_by_keyboard(qtbot, workspace)
    assert dialog.print_document() is False
    assert dialog.isVisible()
    assert [e["purpose"] for e in report_audit(known.app)] == ["preview"]


def test_page_sequence_follows_range_order_and_copies() -> None:
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    assert page_sequence(printer, 3) == [0, 1, 2]
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert page_sequence(printer, 5) == [1, 2]
    printer.setFromTo(4, 9)
    assert page_sequence(printer, 5) == [3, 4]
    printer.setPageOrder(QPrinter.PageOrder.LastPageFirst)
    assert page_sequence(printer, 5) == [4, 3]
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    assert page_sequence(printer, 5, current=2) == [2]
    assert page_sequence(printer, 5, current=9) == [4]


# ------------------------------------------------------------------ permissions


def test_a_nurse_cannot_print_or_save(
    qtbot: QtBot, known: Known, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, errors: list[str]
) -> None:
    app = known.app
    app.actor = actor_for(app, Role.CLINICIAN)
    target = session_target(app, known.session_id)
    preview = PdfPages(target.generate(app, "preview"))  # a clinician opened the preview
    app.actor = actor_for(app, Role.NURSE)
    w = SessionWorkspace(app, known.session_id)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    actions = w.report_actions
    for action in (actions.print_action, actions.save_action):
        assert not action.isEnabled()
        assert action.toolTip() == "Your role may not print a report."
    qtbot.keyClick(w, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert actions.dialog is None

    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "printed.pdf"
    print_to_file(monkeypatch, out)
    assert print_report(w, app, target, preview) is False  # the service refuses
    assert open_preview(w, app, target) is None
    save_to = folder / "saved.pdf"
    monkeypatch.setattr(SavePath, "ask", classmethod(lambda cls, parent, proposal: save_to))
    assert save_report(w, app, target) is None
    assert errors == ["A nurse may not print a report."] * 3
    assert not out.exists()
    assert not save_to.exists()
    assert list(folder.iterdir()) == []
    assert [e["purpose"] for e in report_audit(app)] == ["preview"]  # only the clinician's
    preview.close()

    app.actor = actor_for(app, Role.CLINICIAN)  # switch user: the actions come back
    assert actions.print_action.isEnabled()
    assert actions.save_action.isEnabled()
    w.stop()


def test_switching_to_a_nurse_disables_an_open_preview(
    qtbot: QtBot, known: Known, workspace: SessionWorkspace
) -> None:
    dialog = preview_by_keyboard(qtbot, workspace)
    known.app.actor = actor_for(known.app, Role.NURSE)
    assert not dialog.print_button.isEnabled()
    assert not dialog.save_button.isEnabled()
    assert not workspace.report_actions.print_action.isEnabled()
    assert dialog.print_document() is False


# ------------------------------------------------------------------ course and chart


def make_chart(qtbot: QtBot, app: AppContext, patient_id: int, role: Role) -> PatientChart:
    app.actor = actor_for(app, role)
    chart = PatientChart(app, patient_id)
    qtbot.addWidget(chart)
    chart.resize(1100, 760)
    chart.show()
    qtbot.waitExposed(chart)
    chart.activateWindow()
    qtbot.waitUntil(chart.isActiveWindow)
    return chart


def test_course_summary_from_the_chart(
    qtbot: QtBot,
    app: AppContext,
    clock: FakeClock,
    tmp_path: Path,
    save_to,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = Staff(
        actor_for(app, Role.NURSE), actor_for(app, Role.THERAPIST), actor_for(app, Role.CLINICIAN)
    )
    pid, cid = build_course(Clinic(app.ctx, clock, staff), sessions=3)
    chart = make_chart(qtbot, app, pid, Role.CLINICIAN)
    assert chart.selected_course() is not None
    assert chart.report_actions.print_action.isEnabled()

    qtbot.keyClick(chart, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = chart.report_actions.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert "Course summary – Simões, Conceição" in dialog.windowTitle()
    assert dialog.page_count() == pypdf_pages(dialog.pdf)
    assert "End of course summary." in text_of(dialog.pdf)

    out = tmp_path / "course.pdf"
    suggested = save_to(out)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    today = clock.now().astimezone().date().isoformat()
    assert [p.name for p in suggested] == [f"course-{cid}-Simoes-{today}.pdf"]
    assert "Simões, Conceição" in text_of(out.read_bytes())

    printed = tmp_path / "course-printed.pdf"
    print_to_file(monkeypatch, printed)
    assert dialog.print_document()
    assert pypdf_pages(printed.read_bytes()) == dialog.page_count()
    audit = report_audit(app, "report.course")
    assert [e["purpose"] for e in audit] == ["preview", "save", "print"]
    assert {e["course_id"] for e in audit} == {cid}
    assert audit[1]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_chart_without_a_course_has_nothing_to_print(qtbot: QtBot, app: AppContext) -> None:
    patient = add_patient(app, actor_for(app, Role.CLINICIAN))
    chart = make_chart(qtbot, app, patient.id, Role.THERAPIST)
    action = chart.report_actions.print_action
    assert not action.isEnabled()
    assert action.toolTip() == "Choose a treatment course to print its summary."


def test_demo_clinic_prints_with_the_demo_mark(
    qtbot: QtBot, known: Known, workspace: SessionWorkspace
) -> None:
    known.app.demo = True
    dialog = preview_by_keyboard(qtbot, workspace)
    assert report_audit(known.app)[0]["demo"] is True
    assert "DEMO" in text_of(dialog.pdf)


# ------------------------------------------------------------------ main window


@pytest.fixture
def window(qtbot: QtBot, known: Known) -> Iterator[MainWindow]:
    known.app.actor = actor_for(known.app, Role.THERAPIST)
    w = show_main_window(qtbot, known.app, activate=True)
    yield w
    w.close()


def test_file_menu_acts_on_the_open_session(
    qtbot: QtBot, known: Known, window: MainWindow, tmp_path: Path, save_to
) -> None:
    assert not window.print_action.isEnabled()  # Today: nothing to print
    assert window.print_action.shortcut().toString() == "Ctrl+P"
    window.open_session(known.session_id)
    page = window.session_page
    assert isinstance(page, SessionWorkspace)
    assert window.print_action.isEnabled()
    assert window.save_pdf_action.isEnabled()

    window.print_action.trigger()
    assert page.report_actions.dialog is not None
    page.report_actions.dialog.close()
    # The key reaches the page's own action once (the menu item only shows it).
    page.report_actions.dialog = None
    qtbot.keyClick(
        window.focusWidget() or window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier
    )
    assert page.report_actions.dialog is not None
    page.report_actions.dialog.close()

    save_to(tmp_path / "menu.pdf")
    window.save_pdf_action.trigger()
    assert (tmp_path / "menu.pdf").exists()
    assert [e["purpose"] for e in report_audit(known.app)] == ["preview", "preview", "save"]

    window.show_page(PAGE_TODAY)
    assert not window.print_action.isEnabled()


def test_file_menu_acts_on_the_open_chart(qtbot: QtBot, known: Known, window: MainWindow) -> None:
    window.open_patient(known.patient_id)
    window.update_page_actions()
    assert window.print_action.isEnabled()
    window.print_action.trigger()
    chart = window.patients_page.chart  # type: ignore[union-attr]
    assert chart is not None
    assert chart.report_actions.dialog is not None
    chart.report_actions.dialog.close()
    assert [e["purpose"] for e in report_audit(known.app, "report.course")] == ["preview"]


# ------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ní Bhriain", "Ni-Bhriain"),
        ("Simões", "Simoes"),
        ("Müller-Lüdenscheidt", "Muller-Ludenscheidt"),
        ("Ødegård", "Odegard"),
        ("Straße", "Strasse"),
        ("O'Brien", "O-Brien"),
        ("  ", "patient"),
        ("王", "patient"),
    ],
)
def test_ascii_file_names(name: str, expected: str) -> None:
    assert ascii_name(name) == expected


def test_unreadable_bytes_are_a_clear_error() -> None:
    from kapdesk.ui.pdf_pages import PdfUnreadable

    with pytest.raises(PdfUnreadable, match="could not be read back as a PDF"):
        PdfPages(b"not a pdf")


def test_report_service_is_what_the_app_uses(known: Known) -> None:
    """The preview bytes are the service's own document (same pages as the CLI's)."""
    actor = actor_for(known.app, Role.CLINICIAN)
    pdf = ReportService(known.app.ctx, renderer=PDF).session_summary_pdf(
        actor, known.session_id, demo=False, purpose="preview"
    )
    pages = PdfPages(pdf)
    assert len(pages) == pypdf_pages(pdf)
    assert pages.sizes[0].width == pytest.approx(A4[0], abs=1)
    pages.close()
