"""The print preview: the PDF's own pages rendered by pdfium, page X of Y, zoom, and
Print… / Save as PDF… (each asks the report service again, with its own purpose).

Opened by ``kapdesk.ui.printing.open_preview``; Enter prints, Esc closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.ui.pdf_pages import POINTS_PER_INCH, PdfPages
from kapdesk.ui.printing import PRINT_KEYS, SAVE_KEYS, may_print, print_report, save_report

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.printing import ReportTarget

ZOOMS: Final = (50, 75, 100, 125, 150, 200)
DEFAULT_ZOOM: Final = 100
PAGE_GAP: Final = 16


class ReportPreviewDialog(QDialog):
    def __init__(
        self, app: AppContext, target: ReportTarget, pdf: bytes, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.app, self.target, self.pdf = app, target, pdf
        self.pages = PdfPages(pdf)
        self.saved_to: Path | None = None
        self.printed = False
        self.setObjectName("reportPreview")
        self.setWindowTitle(self.tr("Preview – {title}").format(title=target.title))
        self.setAccessibleName(self.tr("Print preview"))

        self.page_label = QLabel()
        self.page_label.setAccessibleName(self.tr("Page"))
        self.prev_button = self._tool("◀", self.tr("Previous page"), lambda: self.step_page(-1))
        self.next_button = self._tool("▶", self.tr("Next page"), lambda: self.step_page(1))
        self.zoom = QComboBox()
        self.zoom.setAccessibleName(self.tr("Zoom"))
        for z in ZOOMS:
            self.zoom.addItem(f"{z} %", z)
        self.zoom.setCurrentIndex(ZOOMS.index(DEFAULT_ZOOM))
        zoom_label = QLabel(self.tr("&Zoom"))
        zoom_label.setBuddy(self.zoom)
        zoom_out = self._tool("−", self.tr("Zoom out"), lambda: self.step_zoom(-1))
        zoom_in = self._tool("+", self.tr("Zoom in"), lambda: self.step_zoom(1))
        bar = QHBoxLayout()
        bar.addWidget(self.prev_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(zoom_label)
        bar.addWidget(zoom_out)
        bar.addWidget(self.zoom)
        bar.addWidget(zoom_in)

        self.sheet = QWidget()
        self.sheet.setObjectName("previewSheet")
        self.sheet.setStyleSheet("QWidget#previewSheet { background: #9aa3ad; }")
        sheet_lay = QVBoxLayout(self.sheet)
        sheet_lay.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        sheet_lay.setSpacing(PAGE_GAP)
        self.page_views: list[QLabel] = []
        for i in range(len(self.pages)):
            view = QLabel()
            view.setAccessibleName(self.tr("Page {number}").format(number=i + 1))
            view.setStyleSheet("background: #ffffff; border: 1px solid #6f7780;")
            sheet_lay.addWidget(view, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_views.append(view)
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.sheet)
        self.scroller.setWidgetResizable(True)
        self.scroller.setAccessibleName(self.tr("Pages"))
        self.scroller.verticalScrollBar().valueChanged.connect(lambda _v: self._show_page_number())

        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Status"))
        self.status.setObjectName("pageSubtitle")
        buttons = QDialogButtonBox()
        self.print_button = QPushButton(self.tr("&Print…"))
        self.save_button = QPushButton(self.tr("&Save as PDF…"))
        self.print_button.setToolTip(self.tr("Print this summary ({keys})").format(keys=PRINT_KEYS))
        self.save_button.setToolTip(
            self.tr("Save this summary as a PDF file ({keys})").format(keys=SAVE_KEYS)
        )
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_document)
        self.print_button.setDefault(True)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(buttons)

        root = QVBoxLayout(self)
        root.addLayout(bar)
        root.addWidget(self.scroller, 1)
        root.addLayout(footer)

        for keys, slot, what in (
            (PRINT_KEYS, self.print_document, self.tr("Print")),
            (SAVE_KEYS, self.save_document, self.tr("Save as PDF")),
            ("Ctrl++", lambda: self.step_zoom(1), self.tr("Zoom in")),
            ("Ctrl+=", lambda: self.step_zoom(1), self.tr("Zoom in")),
            ("Ctrl+-", lambda: self.step_zoom(-1), self.tr("Zoom out")),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setWhatsThis(what)
            shortcut.activated.connect(slot)
        self.zoom.currentIndexChanged.connect(lambda _i: self.render_pages())
        app.signals.actor_changed.connect(self._update_buttons)
        self.finished.connect(lambda _r: self._close_pages())

        self._generation = 0
        self._pending: list[int] = []
        self._first_painted = not self.page_views
        self._after_paint: tuple[int, float, float] | None = None
        if self.page_views:
            self.page_views[0].installEventFilter(self)
        self.render_pages()
        self._update_buttons()
        self._fit_to_screen()
        self.scroller.setFocus(Qt.FocusReason.OtherFocusReason)

    def _tool(self, text: str, name: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------ pages
    def page_count(self) -> int:
        return len(self.pages)

    def zoom_percent(self) -> int:
        return int(self.zoom.currentData())

    def render_pages(self) -> None:
        """(Re-)render the pages at the zoom, sharp on high-DPI screens: the page in view at
        once, the others one per event-loop turn once the preview has painted (each page
        is a pdfium rendering; the preview need not wait for pages nobody sees yet)."""
        self._generation += 1
        ratio = self.devicePixelRatioF()
        dpi = self.zoom_percent() / 100 * self.logicalDpiX() * ratio
        for i, view in enumerate(self.page_views):  # the layout is right before any render
            width, height = self.pages.pixel_size(i, dpi)
            view.setFixedSize(round(width / ratio), round(height / ratio))
        first = self.current_page() if self._first_painted and self.page_views else 0
        self._pending = [i for i in range(len(self.page_views)) if i != first]
        if self.page_views:
            self._render_page(first, dpi, ratio)
        if self._first_painted:
            self._render_later(self._generation, dpi, ratio)
        else:
            self._after_paint = (self._generation, dpi, ratio)
        self._show_page_number()

    def _render_page(self, index: int, dpi: float, ratio: float) -> None:
        pixmap = QPixmap.fromImage(self.pages.image(index, dpi))
        pixmap.setDevicePixelRatio(ratio)
        view = self.page_views[index]
        view.setPixmap(pixmap)
        view.setFixedSize(pixmap.deviceIndependentSize().toSize())

    def _render_later(self, generation: int, dpi: float, ratio: float) -> None:
        def step() -> None:
            if generation != self._generation or not self._pending:
                return  # the zoom changed meanwhile: that rendering has its own queue
            self._render_page(self._pending.pop(0), dpi, ratio)
            if self._pending:
                QTimer.singleShot(0, step)

        if self._pending:
            QTimer.singleShot(0, step)

    def _close_pages(self) -> None:
        self._generation += 1  # pages still queued are never rendered
        self._pending.clear()
        self.pages.close()

    def rendered(self) -> bool:
        """Every page has its image at the current zoom."""
        return not self._pending

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and not self._first_painted
            and watched is self.page_views[0]
        ):
            self._first_painted = True
            if self._after_paint is not None:
                self._render_later(*self._after_paint)
                self._after_paint = None
        return super().eventFilter(watched, event)

    def current_page(self) -> int:
        """0-based: the page under the middle of the visible area."""
        middle = self.scroller.verticalScrollBar().value() + self.scroller.viewport().height() // 2
        for i, view in enumerate(self.page_views):
            if middle < view.geometry().bottom() + PAGE_GAP // 2:
                return i
        return max(self.page_count() - 1, 0)

    def go_to_page(self, index: int) -> None:
        if self.page_views:
            index = min(max(index, 0), self.page_count() - 1)
            top = self.page_views[index].geometry().top() - PAGE_GAP // 2
            self.scroller.verticalScrollBar().setValue(top)
            self._show_page_number()

    def step_page(self, delta: int) -> None:
        self.go_to_page(self.current_page() + delta)

    def step_zoom(self, delta: int) -> None:
        index = min(max(self.zoom.currentIndex() + delta, 0), self.zoom.count() - 1)
        self.zoom.setCurrentIndex(index)

    def _show_page_number(self) -> None:
        current, count = self.current_page(), self.page_count()
        self.page_label.setText(
            self.tr("Page {number} of {total}").format(number=current + 1, total=count)
        )
        self.prev_button.setEnabled(current > 0)
        self.next_button.setEnabled(current < count - 1)

    def _fit_to_screen(self) -> None:
        width = self.pages.sizes[0].width if self.page_count() else 595.0
        wanted_w = int(width / POINTS_PER_INCH * self.logicalDpiX()) + 2 * PAGE_GAP + 60
        wanted_h = 1000
        screen = self.screen()
        if screen is not None:
            avail = screen.availableGeometry()
            wanted_w = min(wanted_w, avail.width() - 40)
            wanted_h = min(wanted_h, avail.height() - 60)
        self.resize(wanted_w, wanted_h)

    # ------------------------------------------------------------ actions
    def _update_buttons(self) -> None:
        allowed = may_print(self.app)
        why = "" if allowed else self.tr("Your role may not print a report.")
        for button in (self.print_button, self.save_button):
            button.setEnabled(allowed)
            if why:
                button.setToolTip(why)

    def print_document(self) -> bool:
        if not self.print_button.isEnabled():
            return False
        sent = print_report(
            self, self.app, self.target, self.pages, current_page=self.current_page()
        )
        if sent:
            self.printed = True
            self.accept()
        return sent

    def save_document(self) -> Path | None:
        if not self.save_button.isEnabled():
            return None
        path = save_report(self, self.app, self.target)
        if path is not None:
            self.saved_to = path
            self.status.setText(self.tr("Saved to {path}").format(path=path))
        return path
