"""What a fitted table's cells need: their texts' widths on one line, their longest
word, their heights wrapped at a column's width, from font metrics (``widgets.fit``)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QStyle, QTableView

WORD_MARGIN = 12  # a wrapping column's longest word plus the cell's margins
_TALL = 100_000
# Font metrics round each advance; Qt lays text out in fractions of a pixel: a pixel or two
# to spare, so a text measured to the pixel is never cut (nor a wrapped line lost).
SLACK = 2
# texts whose measures are kept (a countdown writes ~30 new texts a minute on a busy board)
KEPT_TEXTS = 20_000
_ZEROED = str.maketrans("123456789", "000000000")
# what can stand beside a digit in a cell: each pair is laid out once in the check below
_BESIDE = "".join(map(chr, range(32, 127))) + "·–—…°"
# A cell's measures kept: (column width, height at that width, ``CellMeasure.shape``).
Kept = tuple[int, int, tuple[str, str]]


def tabular_digits(metrics: QFontMetricsF) -> bool:
    """True if every digit takes exactly the same room in the font of ``metrics``, alone and
    beside each character of ``_BESIDE`` (printable ASCII and the board's dot and dashes:
    kerning), as Qt lays text out (in fractions of a pixel): a text then measures the same,
    on one line and wrapped, whatever its digits. A font with proportional digits (a '1'
    narrower than a '0') answers False, and its texts are measured as they are."""
    alone = {metrics.horizontalAdvance(d) for d in "0123456789"}
    beside = {metrics.horizontalAdvance("".join(c + d + d for c in _BESIDE)) for d in "0123456789"}
    return len(alone) == 1 and len(beside) == 1


class CellMeasure:
    """Text widths and wrapped heights of a table's cells from font metrics (no delegate
    size hints: with the style sheet, Qt's per-cell sizing cost ~1 ms a row)."""

    def __init__(self, table: QTableView, bold: Iterable[int] = ()) -> None:
        self.table = table
        self.model = table.model()  # fit_columns is called with the table's model set
        # columns whose cells can turn bold (a row's level): their widths measured in bold
        self.bold = frozenset(bold)
        self._metrics: dict[str, QFontMetrics] = {}
        self._fonts: dict[str, QFont] = {}  # font key -> the font
        self._bolder: dict[str, str] = {}  # font key -> its bold's key
        self._cells: dict[tuple[int, int], tuple[str, str]] = {}  # text, font key
        self._advances: dict[tuple[str, str], int] = {}  # (font key, text) -> width
        self._view_fonts: dict[bool | None, str] = {}  # bold -> key of the view's font
        # cell -> (column width, height at it, the text's shape then: ``shape``)
        self._heights: dict[tuple[int, int], Kept] = {}
        # by (font key, text[, column width]): a ticking countdown's texts come round again
        self._sized: dict[tuple[str, str, int], int] = {}  # -> the cell's height at that width
        self._widths: dict[tuple[str, str], int] = {}  # -> the cell on one line
        self._longest: dict[tuple[str, str], int] = {}  # -> longest word
        # The texts above are kept with their digits as zeros in a font whose digits all
        # take the same room (``tabular_digits``): a countdown's new minute measures as the
        # last one did. Font key -> whether its digits are so.
        self._tabular: dict[str, bool] = {}
        self.pad: QSize | None = None  # a cell's size beyond its text (margins, padding)

    def cell(self, row: int, column: int) -> tuple[str, str]:
        """The cell's text and its font's key (kept until ``forget``).

        A model with ``measured_cell(row, column) -> (text, bold)`` answers without the
        model/view round trip of two ``data`` calls a cell (the Today board)."""
        key = (row, column)
        found = self._cells.get(key)
        if found is not None:
            return found
        model = self.model
        quick = getattr(model, "measured_cell", None)
        if quick is not None:
            text, bold = quick(row, column)
            found = self._cells[key] = (text, self._view_font(bool(bold)))
            return found
        index = model.index(row, column)
        value = index.data(Qt.ItemDataRole.DisplayRole)
        font = index.data(Qt.ItemDataRole.FontRole)
        if not isinstance(font, QFont):
            name = self._view_font(None)  # most cells: the view's own font
        else:  # as the delegate does: what the cell's font leaves unset is the view's
            name = self._keep(QFont(font).resolve(self.table.font()))
        found = self._cells[key] = ("" if value is None else str(value), name)
        return found

    def _keep(self, font: QFont) -> str:
        """The font's key, the font and its metrics kept."""
        name = font.key()
        if name not in self._metrics:
            self._metrics[name] = QFontMetrics(font)
            self._fonts[name] = font
        return name

    def _view_font(self, bold: bool | None) -> str:
        """The key of the view's font (None: as it is; else made bold or not), its metrics
        kept."""
        name = self._view_fonts.get(bold)
        if name is None:
            font = QFont(self.table.font())
            if bold is not None:
                font.setBold(bold)
            name = self._view_fonts[bold] = self._keep(font)
        return name

    def _width_font(self, column: int, font: str) -> str:
        """The font a column's widths are measured in: bold in a column whose cells can
        turn bold, so that a cell turning bold never widens its column."""
        if column not in self.bold:
            return font
        name = self._bolder.get(font)
        if name is None:
            bold = QFont(self._fonts[font])
            bold.setBold(True)
            name = self._bolder[font] = self._keep(bold)
        return name

    def forget(self, cells: Iterable[tuple[int, int]] | None = None) -> dict[tuple[int, int], Kept]:
        """Read the cells again (all, or these (row, column)): their contents changed.
        The heights the given cells had ((column width, height, shape) by cell) are returned.
        What was measured of a text in a font is kept (a table filled again with the same
        names, a countdown's minutes coming round): it stays true until ``restyle``."""
        if len(self._advances) + len(self._sized) > KEPT_TEXTS:  # a board left on for days
            self._forget_texts()
        if cells is None:
            self._cells.clear()
            self._heights.clear()
            return {}
        had: dict[tuple[int, int], Kept] = {}
        for key in cells:
            self._cells.pop(key, None)
            height = self._heights.pop(key, None)
            if height is not None:
                had[key] = height
        return had

    def restyle(self) -> None:
        """Forget everything measured: the table's style or font changed (a cell's padding
        is part of every width and height kept)."""
        self.forget()
        self.pad = None
        self._forget_texts()
        self._metrics.clear()
        self._fonts.clear()
        self._bolder.clear()
        self._view_fonts.clear()
        self._tabular.clear()

    def _forget_texts(self) -> None:
        for kept in (self._advances, self._sized, self._widths, self._longest):
            kept.clear()

    def advance(self, font: str, text: str) -> int:
        """The width of ``text`` on one line in font ``font`` (a key from ``cell``)."""
        key = (font, self._kept(font, text))
        width = self._advances.get(key)
        if width is None:
            width = self._advances[key] = self._metrics[font].horizontalAdvance(text)
        return width

    def _kept(self, font: str, text: str) -> str:
        """``text`` as its measures in ``font`` are kept: its digits as zeros where every
        digit takes the same room (``tabular_digits``), else as it is."""
        return text.translate(_ZEROED) if self._is_tabular(font) else text

    def _is_tabular(self, font: str) -> bool:
        """Whether every digit takes the same room in ``font`` (checked once a font)."""
        tabular = self._tabular.get(font)
        if tabular is None:
            tabular = self._tabular[font] = tabular_digits(QFontMetricsF(self._fonts[font]))
        return tabular

    def shape(self, row: int, column: int) -> tuple[str, str]:
        """What every measure of the cell comes from: its font's key and its text, the
        digits as zeros when its font and the font its column's widths are measured in
        (``width``) both give every digit the same room. Two texts of one shape in a column
        have the same width, longest word and height at any width ('35 min', '36 min')."""
        text, font = self.cell(row, column)
        return self._shape(column, font, text, self._kept(font, text))

    def _shape(self, column: int, font: str, text: str, kept: str) -> tuple[str, str]:
        """``shape`` from the text ``kept`` in its font (``_kept``)."""
        if kept is text:  # not tabular (translate always makes a new string)
            return font, text
        wide = self._width_font(column, font)
        return font, kept if wide == font or self._is_tabular(wide) else text

    def keep_height(self, row: int, column: int, kept: Kept) -> None:
        """The cell's height as ``kept`` (its width, height and shape before its text
        changed), the new text being of that shape (``shape``): nothing measured."""
        self._heights[(row, column)] = kept

    def text(self, row: int, column: int) -> str:
        return self.cell(row, column)[0]

    def font_metrics(self, row: int, column: int) -> QFontMetrics:
        return self._metrics[self.cell(row, column)[1]]

    def padding(self) -> QSize:
        """Measured once, on a one-word cell: Qt's size hint less the text's own size."""
        if self.pad is None:
            self.pad = self._calibrate()
        return self.pad

    def _calibrate(self) -> QSize:
        table, model = self.table, self.model
        for row in range(min(model.rowCount(), 20)):
            for column in range(model.columnCount()):
                text = self.text(row, column)
                if text and len(text.split()) == 1 and "\n" not in text:
                    hint = table.sizeHintForIndex(model.index(row, column))
                    metrics = self.font_metrics(row, column)
                    return QSize(
                        max(hint.width() - metrics.horizontalAdvance(text), 0),
                        max(hint.height() - metrics.height(), 0),
                    )
        margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
        return QSize(2 * margin, 2)  # no one-word cell yet: Qt's text margins

    def width(self, row: int, column: int) -> int:
        """The cell on one line (each line of a text with line breaks), in bold in a
        column whose cells can turn bold."""
        text, font = self.cell(row, column)
        return self._line_width(text, self._width_font(column, font))

    def _line_width(self, text: str, font: str) -> int:
        key = (font, self._kept(font, text))
        width = self._widths.get(key)
        if width is None:
            longest = max(self.advance(font, line) for line in text.split("\n"))
            width = self._widths[key] = longest + self.padding().width() + SLACK
        return width if text else 0

    def longest_word(self, row: int, column: int) -> int:
        text, font = self.cell(row, column)
        font = self._width_font(column, font)
        key = (font, self._kept(font, text))
        if key not in self._longest:  # a ticking countdown's texts come round again: kept
            widths = (self.advance(font, w) for w in text.split())
            self._longest[key] = max(widths, default=-WORD_MARGIN) + WORD_MARGIN
        return self._longest[key]

    def height(self, row: int, column: int, width: int) -> int:
        """The cell's height with its words wrapped at ``width`` (the column's); kept
        while the cell and its width stay."""
        key = (row, column)
        known = self._heights.get(key)
        if known is not None and known[0] == width:
            return known[1]
        text, font = self.cell(row, column)
        kept = self._kept(font, text)
        height = self._sized.get((font, kept, width))
        if height is None:
            height = self._sized[(font, kept, width)] = self._height(row, column, width)
        self._heights[key] = (width, height, self._shape(column, font, text, kept))
        return height

    def _height(self, row: int, column: int, width: int) -> int:
        text, font = self.cell(row, column)
        metrics = self._metrics[font]
        pad = self.padding()
        if not text or ("\n" not in text and self._line_width(text, font) <= width):
            return metrics.height() + pad.height()  # one line
        room = max(width - pad.width() - SLACK, 1)
        flags = int(Qt.TextFlag.TextWordWrap)
        return metrics.boundingRect(QRect(0, 0, room, _TALL), flags, text).height() + pad.height()
