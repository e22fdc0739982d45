"""Column widths that keep every word on one line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from kapdesk.reports.columns import fit_words

FONT, SIZE = "Helvetica", 7.6


def test_a_narrow_route_column_is_widened_from_the_widest_column() -> None:
    rows = [("Time", "Route", "Given by"), ("10:05", "intranasal", "Test Nurse")]
    widths = fit_words([40.0, 20.0, 140.0], rows, FONT, SIZE, 6)
    assert abs(sum(widths) - 200.0) < 1e-6
    assert widths[1] >= stringWidth("intranasal", FONT, SIZE) + 6 - 1e-6
    # the room comes mostly from the column with the most to spare
    assert 140.0 - widths[2] > 40.0 - widths[0] > 0
    assert widths[0] >= stringWidth("10:05", FONT, SIZE) + 6


def test_words_that_cannot_all_fit_leave_the_widths_alone() -> None:
    rows = [("intranasal", "intranasal")]
    assert fit_words([10.0, 10.0], rows, FONT, SIZE, 6) == [10.0, 10.0]


words = st.text(alphabet="abcdefghijklmnop ", min_size=0, max_size=30)


@given(
    st.lists(st.floats(min_value=5, max_value=200), min_size=1, max_size=6),
    st.lists(words, min_size=6, max_size=6),
)
def test_the_total_width_is_kept_and_every_word_fits_when_it_can(
    widths: list[float], cells: list[str]
) -> None:
    row = tuple(cells[: len(widths)])
    out = fit_words(widths, [row], FONT, SIZE, 6)
    assert abs(sum(out) - sum(widths)) < 1e-6
    need = [max((stringWidth(w, FONT, SIZE) for w in c.split()), default=0) + 6 for c in row]
    if sum(need) <= sum(widths):
        assert all(o >= n - 1e-6 for o, n in zip(out, need, strict=True))
