"""Table column widths that never break a word (issue 12: 'intrana sal').

A Paragraph in a column narrower than one of its words breaks the word at the column
edge, without a hyphen, and the PDF then reads 'intrana sal'. Before a table is drawn,
each column is widened to its longest word; the room comes from the columns with the
most room to spare beyond their own longest word. When the words cannot all fit the
page width, the widths stay as they were (a break beats text running over its
neighbour).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth


def longest_word(cells: Sequence[str], font: str, size: float) -> float:
    """The width of the widest single word in ``cells``."""
    return max(
        (stringWidth(word, font, size) for cell in cells for word in cell.split()),
        default=0.0,
    )


def fit_words(
    widths: Sequence[float],
    rows: Sequence[Sequence[str]],
    font: str,
    size: float,
    padding: float,
) -> list[float]:
    """``widths`` (same total) with every column at least as wide as its longest word
    plus ``padding``; unchanged when that cannot be done."""
    columns = list(zip(*rows, strict=False)) if rows else []
    need = [
        longest_word(columns[i], font, size) + padding if i < len(columns) else 0.0
        for i in range(len(widths))
    ]
    if sum(need) > sum(widths):
        return list(widths)
    out = list(widths)
    short = sum(max(n - w, 0.0) for n, w in zip(need, out, strict=True))
    if short <= 0:
        return out
    spare = [max(w - n, 0.0) for n, w in zip(need, out, strict=True)]
    room = sum(spare)
    for i, (n, w) in enumerate(zip(need, out, strict=True)):
        out[i] = n if w < n else w - short * spare[i] / room
    return out
