"""Which signatures `kapdesk check` rebuilds again with every row printed, after the row
replay found some of their rows differing from their entries (signed_sql.pieces_holding)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kapdesk.storage.signed_sql import PIECE_SIGNATURES, SignaturePiece, pieces_holding

PIECES = [SignaturePiece(low, low + 99) for low in range(1, 100_000, 100)]


@given(st.sets(st.integers(min_value=1, max_value=99_999), max_size=PIECE_SIGNATURES // 5))
def test_every_signature_is_covered_again(signatures: set[int]) -> None:
    found = pieces_holding(PIECES, signatures)
    for sig in signatures:
        assert any(p.low <= sig <= p.high for p in found), sig
    runs = sum(1 for i in signatures if i - 1 not in signatures)
    if runs <= PIECE_SIGNATURES // 10:  # few: exactly those signatures, consecutive ones joined
        assert {i for p in found for i in range(p.low, p.high + 1)} == signatures
        assert len(found) == runs
    else:  # many: the pieces holding them, each once
        assert all(p in PIECES for p in found)
        assert len(found) == len(set(found))


def test_consecutive_signatures_are_one_piece_and_none_is_none() -> None:
    assert pieces_holding(PIECES, [7, 5, 6, 9]) == [SignaturePiece(5, 7), SignaturePiece(9, 9)]
    assert pieces_holding(PIECES, []) == []


def test_many_scattered_signatures_print_their_pieces_whole() -> None:
    scattered = range(1, 2 * (PIECE_SIGNATURES // 10) * 2 + 1, 2)  # no two consecutive
    found = pieces_holding(PIECES, scattered)
    assert found == [p for p in PIECES if p.low <= max(scattered)]
