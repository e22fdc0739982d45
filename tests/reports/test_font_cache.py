"""reportlab's parsed fonts kept between processes (kapdesk.reports.font_cache): the same
font and the same PDF as a fresh parse, and a damaged, stale or foreign entry ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
import reportlab
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from kapdesk.reports import font_cache
from kapdesk.reports.font_cache import SUFFIX, cache_key, load_font, read_entry, same_font

from .pdftext import document, font_names

NAME = "DejaVuSans"


def _data(filename: str = "DejaVuSans.ttf") -> bytes:
    return (files("kapdesk.resources") / "fonts" / filename).read_bytes()


def _parsed(name: str, data: bytes) -> TTFont:
    import io

    return TTFont(name, io.BytesIO(data))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every TTF parse made (TTFontFace built from a file), by file name."""
    made: list[str] = []
    real = TTFontFace.__init__

    def counting(self: TTFontFace, *args: object, **kwargs: object) -> None:
        made.append(str(args[0]))
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(TTFontFace, "__init__", counting)
    return made


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{SUFFIX}"))


def test_a_second_load_reads_the_entry_and_gives_the_same_font(
    tmp_path: Path, parses: list[str]
) -> None:
    data = _data()
    first = load_font(NAME, data, tmp_path)
    assert len(parses) == 1
    assert len(_entries(tmp_path)) == 1
    again = load_font(NAME, data, tmp_path)
    assert len(parses) == 1  # read, not parsed
    assert again is not first
    assert same_font(again, first)
    fresh = _parsed(NAME, data)
    assert same_font(again, fresh)
    for text in ("Nguyễn, Thị Lan", "Simões, Conceição", "PHQ-9 ≥ 20 — 12:05", "0123456789"):
        for size in (7, 9.5, 11):
            assert again.stringWidth(text, size) == fresh.stringWidth(text, size)
    assert again.face.charToGlyph == fresh.face.charToGlyph
    assert again.face.makeSubset(list(range(32, 127))) == fresh.face.makeSubset(
        list(range(32, 127))
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated
        lambda raw: raw[:-10] + bytes(b ^ 0xFF for b in raw[-10:]),  # bytes changed
        lambda raw: b"",  # empty
        lambda raw: b"not a font cache entry at all",
    ],
    ids=["truncated", "changed", "empty", "other file"],
)
def test_a_damaged_entry_is_ignored_and_rewritten(
    tmp_path: Path, parses: list[str], damage: object
) -> None:
    data = _data()
    load_font(NAME, data, tmp_path)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    font = load_font(NAME, data, tmp_path)
    assert len(parses) == 2  # parsed again
    assert same_font(font, _parsed(NAME, data))
    assert read_entry(entry, cache_key(NAME, data), data) is not None  # rewritten, valid


def test_an_entry_of_another_font_or_key_is_ignored(tmp_path: Path, parses: list[str]) -> None:
    regular, bold = _data(), _data("DejaVuSans-Bold.ttf")
    load_font(NAME, bold, tmp_path)  # an entry made from the bold file...
    (entry,) = _entries(tmp_path)
    # ...found under the name the regular file's key gives (copied, renamed): its own
    # header names the other key, so it is not used
    entry.rename(tmp_path / f"{NAME}-{cache_key(NAME, regular)}{SUFFIX}")
    font = load_font(NAME, regular, tmp_path)
    assert len(parses) == 2
    assert same_font(font, _parsed(NAME, regular))
    assert font.face.name == _parsed(NAME, regular).face.name != _parsed(NAME, bold).face.name


def test_another_reportlab_misses_and_replaces_the_old_entry(
    tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _data()
    load_font(NAME, data, tmp_path)
    load_font("DejaVuSans-Bold", _data("DejaVuSans-Bold.ttf"), tmp_path)
    (old,) = [
        p for p in _entries(tmp_path) if p.name.startswith(f"{NAME}-") and "Bold" not in p.name
    ]
    monkeypatch.setattr(reportlab, "Version", reportlab.Version + ".post1")
    load_font(NAME, data, tmp_path)
    assert len(parses) == 3  # the new version's parse
    assert not old.exists()  # the stale entry of that font is gone...
    assert len(_entries(tmp_path)) == 2  # ...the new one and the bold font's remain
    load_font(NAME, data, tmp_path)
    assert len(parses) == 3


def test_a_folder_that_cannot_be_written_still_gives_the_font(
    tmp_path: Path, parses: list[str]
) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("in the way")
    data = _data()
    font = load_font(NAME, data, blocked / "fonts")
    assert len(parses) == 1
    assert same_font(font, _parsed(NAME, data))


RENDER = r"""
import json, sys
from reportlab import rl_config
rl_config.invariant = 1  # no date or random document id: the same input, the same bytes
from reportlab.pdfbase.ttfonts import TTFontFace
made = []
real = TTFontFace.__init__
def counting(self, *a, **k):
    made.append(1)
    real(self, *a, **k)
TTFontFace.__init__ = counting
from kapdesk.reports.pdf import PDF  # noqa: the renderer's imports, as a report makes them
from kapdesk.reports.fonts import register_fonts, FONTS
from kapdesk.reports.deferred import import_paragraph
import_paragraph()
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate
fonts = register_fonts()
style = ParagraphStyle("x", fontName=fonts.regular, fontSize=10)
cond = ParagraphStyle("c", fontName=fonts.condensed, fontSize=8)
story = [Paragraph("Course summary: <b>Nguyễn, Thị Lan</b> <i>Simões</i>", style),
         Paragraph("PHQ-9 ≥ 20 — 12:05 <b>bold condensed</b>", cond)]
SimpleDocTemplate(sys.argv[1]).build(story)
print(json.dumps({"parses": len(made)}))
"""


def _render(out: Path, cache: Path) -> int:
    env = {**os.environ, font_cache.CACHE_ENV: str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(out)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["parses"])


def test_a_pdf_drawn_with_cached_fonts_is_the_same_pdf(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, second = tmp_path / "parsed.pdf", tmp_path / "cached.pdf"
    assert _render(first, cache) == 5  # five fonts parsed, their entries written
    assert len(_entries(cache / "fonts")) == 5
    assert _render(second, cache) == 0  # none parsed: all five read
    assert second.read_bytes() == first.read_bytes()
    text = document(second.read_bytes())
    assert "Course summary: Nguyễn, Thị Lan Simões" in text
    assert "PHQ-9 ≥ 20 — 12:05 bold condensed" in text
    assert font_names(second.read_bytes()) >= {  # with the page template's Helvetica
        "DejaVuSans",
        "DejaVuSans-Bold",
        "DejaVuSans-Oblique",
        "DejaVuSansCondensed",
        "DejaVuSansCondensed-Bold",
    }


def test_an_entry_s_tables_are_decoded_only_when_first_used(tmp_path: Path) -> None:
    data = _data()
    load_font(NAME, data, tmp_path)
    cached = load_font(NAME, data, tmp_path)
    fresh = _parsed(NAME, data)
    assert isinstance(cached.face, font_cache.CachedFace)
    for table in font_cache.LAZY:
        assert table not in vars(cached.face)  # still marshal data
        assert getattr(cached.face, table) == getattr(fresh.face, table)
        assert table in vars(cached.face)  # decoded once, kept
    with pytest.raises(AttributeError):
        cached.face.no_such_table  # noqa: B018


_DRAW_WITH_CACHED_FONTS = """
import base64, io, json, sys
from pathlib import Path
from importlib.resources import files
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from kapdesk.reports import font_cache
from kapdesk.reports.font_cache import load_font

folder = Path(sys.argv[1])
fonts = files("kapdesk.resources") / "fonts"
data = (fonts / "DejaVuSans.ttf").read_bytes()
bold = (fonts / "DejaVuSans-Bold.ttf").read_bytes()
load_font("CacheTestSans", data, folder)
font = load_font("CacheTestSans", data, folder)
load_font("CacheTestSansBold", bold, folder)
unused = load_font("CacheTestSansBold", bold, folder)
pdfmetrics.registerFont(font)
pdfmetrics.registerFont(unused)
buf = io.BytesIO()
pdf = canvas.Canvas(buf)
pdf.setFont("CacheTestSans", 11)
text = sys.argv[2]
width = pdf.stringWidth(text, "CacheTestSans", 11)
pdf.drawString(72, 720, text)
pdf.showPage()
pdf.save()
print(json.dumps({
    "cached": type(font.face).__name__,
    "width": width,
    "parsed_width": TTFont("Parsed", io.BytesIO(data)).stringWidth(text, 11),
    "decoded": [n for n in font_cache.LAZY if n in vars(font.face)],
    "unused_decoded": [n for n in font_cache.LAZY if n in vars(unused.face)],
    "pdf": base64.b64encode(buf.getvalue()).decode(),
}))
"""


def test_a_pdf_drawn_with_a_cached_font_never_decodes_the_glyph_to_character_map(
    tmp_path: Path,
) -> None:
    """In a fresh interpreter: reportlab shares what it computed between faces of the same
    font name, so a font registered earlier in this process (the app's DejaVuSans) would
    leave this face's tables untouched."""
    import base64

    text = "Nguyễn, Thị Lan – PHQ-9 ≥ 20"
    run = subprocess.run(
        [sys.executable, "-c", _DRAW_WITH_CACHED_FONTS, str(tmp_path), text],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(run.stdout)
    assert seen["cached"] == "CachedFace"
    assert seen["width"] == seen["parsed_width"]
    assert text in document(base64.b64decode(seen["pdf"]))
    assert "glyphToChar" not in seen["decoded"]
    assert {"charToGlyph", "charWidths", "hmetrics", "glyphPos"} <= set(seen["decoded"])
    assert seen["unused_decoded"] == []  # registered, never used
