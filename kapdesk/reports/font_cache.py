"""reportlab's parsed TrueType fonts, kept in the user's cache folder between processes.

Parsing a DejaVu Sans file (reportlab's ``TTFont``: its tables, the character map, the
widths and offsets of ~6,000 glyphs) costs ~15-20 ms of CPU, and every report process
registers five of them: ~10 % of a ``kapdesk report``. What a parse yields depends only
on the file's bytes, reportlab's version and two of its settings, so the result is kept
in ``<user cache folder>/kapdesk/fonts`` (``KAPDESK_CACHE_DIR`` replaces the folder),
one file per font, named and headed by a key over all of these (a font, reportlab or
Python that changed simply misses; its old file is removed when the new one is written).

The file is ``marshal`` data (plain values: loading it runs no code), after a magic
line and a SHA-256 of that data, so a truncated or damaged file is seen before it is
read. Anything unexpected in it, or a folder that cannot be read or written, means
parsing the font as without a cache: the cache can only save time.

The face's five big tables (the character and glyph maps, the widths, the horizontal
metrics and the glyph offsets: ~90 % of an entry) are stored as marshal data of their own
inside the entry and decoded on first use (:class:`CachedFace`): a report never reads
the glyph-to-character map (~40 % of decoding a font; only a parse and text shaping use
it) and the italic font's tables are read only by a document with italic text.

A cached font is the parsed ``TTFont`` with three attributes rebuilt rather than
stored: the font file's bytes (``face._ttf_data``, read from the package anyway), the
unit scaling function (``face._pdfScale``, from ``unitsPerEm`` as reportlab builds it)
and the per-document state (an empty ``WeakKeyDictionary``). Before an entry is written
it is decoded again and compared with the font just parsed, attribute by attribute; a
reportlab whose fonts hold anything else is not cached.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

CACHE_ENV = "KAPDESK_CACHE_DIR"
FORMAT = 2  # the layout of an entry; bump when it changes
MAGIC = b"kapdesk-font-cache\n"
SUFFIX = ".font"
_DIGEST = 32  # bytes of SHA-256
_PLAIN = (int, float, str, bool, type(None))
_SAMPLES = (0, 1, -1, 7, -317, 1000, 2048, 1234.5, 65535)  # units checked for the scale
# The face's tables decoded on first use (each is thousands of entries).
LAZY = ("charToGlyph", "glyphToChar", "charWidths", "hmetrics", "glyphPos")
_LAZY_KEY = "_lazy"


class CachedFace(TTFontFace):  # type: ignore[misc]
    """A face read from the cache: its big tables (``LAZY``) are marshal data until first
    read. Thread-safe enough: two threads decoding one table at once store equal values."""

    def __getattr__(self, name: str) -> Any:  # only for attributes not (yet) in __dict__
        lazy = self.__dict__.get(_LAZY_KEY)
        if lazy is None or name not in lazy:
            raise AttributeError(name)
        value = marshal.loads(lazy[name])
        self.__dict__[name] = value
        return value


def face_attributes(face: TTFontFace) -> dict[str, Any]:
    """A face's attributes, tables not yet decoded included (decoded now)."""
    state = dict(vars(face))
    for name in state.pop(_LAZY_KEY, None) or {}:
        state[name] = getattr(face, name)
    return state


class _Scale:
    """reportlab's unit scaling (font units to 1/1000 em), rebuilt from ``unitsPerEm``."""

    def __init__(self, units_per_em: int) -> None:
        self.units_per_em = units_per_em
        self.mult = 1000 / units_per_em

    def __call__(self, x: float) -> float:
        return x if self.units_per_em == 1000 else x * self.mult


def cache_folder() -> Path:
    where = os.environ.get(CACHE_ENV)
    if where:
        return Path(where) / "fonts"
    from platformdirs import user_cache_path

    return user_cache_path("kapdesk", appauthor=False) / "fonts"


def cache_key(name: str, data: bytes) -> str:
    """Hex key of one parse: the font's bytes and name, reportlab, Python, the settings."""
    settings = (
        name,
        FORMAT,
        reportlab.Version,
        sys.version,
        marshal.version,
        rl_config.ttfAsciiReadable,
        tuple(rl_config.unShapedFontGlob or ()),
        ttfonts.uharfbuzz is not None,
    )
    digest = hashlib.sha256(repr(settings).encode("utf-8"))
    digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()[:32]


def load_font(name: str, data: bytes, folder: Path | None = None) -> TTFont:
    """The ``TTFont`` for ``data`` (a TTF file's bytes): from the cache when a valid entry
    is there, else parsed (and the entry written, best effort)."""
    try:
        folder = cache_folder() if folder is None else folder
    except Exception:  # no home folder to derive a cache folder from: parse
        return TTFont(name, io.BytesIO(data))
    key = cache_key(name, data)
    path = folder / f"{name}-{key}{SUFFIX}"
    font = read_entry(path, key, data)
    if font is not None:
        return font
    font = TTFont(name, io.BytesIO(data))
    _store(path, font, key, data, name)
    return font


# ------------------------------------------------------------------ reading


def read_entry(path: Path, key: str, data: bytes) -> TTFont | None:
    """The font an entry holds, or None (missing, damaged, another key, unexpected)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC)
    if len(raw) < head + _DIGEST or not raw.startswith(MAGIC):
        return None
    payload = memoryview(raw)[head + _DIGEST :]
    if hashlib.sha256(payload).digest() != raw[head : head + _DIGEST]:
        return None
    try:
        return decode(marshal.loads(payload), key, data)
    except Exception:  # a well-formed file of another shape: parse instead
        return None


def decode(entry: Any, key: str, data: bytes) -> TTFont | None:
    if not (isinstance(entry, tuple) and len(entry) == 5):
        return None
    fmt, entry_key, font_state, small, names = entry
    if fmt != FORMAT or entry_key != key or not isinstance(small, dict):
        return None
    lazy = small.pop(_LAZY_KEY, None)
    if not (isinstance(lazy, dict) and all(type(v) is bytes for v in lazy.values())):
        return None
    face = CachedFace.__new__(CachedFace)
    face.__dict__.update(small)
    face.__dict__[_LAZY_KEY] = lazy
    for attr, text in names.items():
        setattr(face, attr, TTFNameBytes(text.encode("utf-8")))
    face._ttf_data = data
    face._pdfScale = _Scale(small["unitsPerEm"])
    font = TTFont.__new__(TTFont)
    font.__dict__.update(font_state)
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    return font


# ------------------------------------------------------------------ writing


def encode(font: TTFont, key: str, data: bytes) -> bytes | None:
    """The entry for a freshly parsed ``font``, or None when it holds what this module
    cannot rebuild exactly (another reportlab's font)."""
    font_state = dict(vars(font))
    face = font_state.pop("face", None)
    encoding = font_state.pop("encoding", None)
    state = font_state.pop("state", None)
    if not (
        type(face) is TTFontFace
        and type(encoding) is TTEncoding
        and vars(encoding) == {"name": "UTF-8"}
        and type(state) is WeakKeyDictionary
        and not len(state)
    ):
        return None
    face_state = dict(vars(face))
    scale = face_state.pop("_pdfScale", None)
    if face_state.pop("_ttf_data", None) != data:
        return None
    if not _same_scale(scale, face_state.get("unitsPerEm")):
        return None
    names = {k: v.ustr for k, v in face_state.items() if type(v) is TTFNameBytes}
    for attr in names:
        del face_state[attr]
    if not (_plain(font_state) and _plain(face_state)) or _LAZY_KEY in face_state:
        return None
    face_state[_LAZY_KEY] = {
        name: marshal.dumps(face_state.pop(name)) for name in LAZY if name in face_state
    }
    payload = marshal.dumps((FORMAT, key, font_state, face_state, names))
    again = decode(marshal.loads(payload), key, data)
    if again is None or not same_font(again, font):
        return None
    return MAGIC + hashlib.sha256(payload).digest() + payload


def _same_scale(scale: Callable[[float], float] | None, units: object) -> bool:
    if scale is None or type(units) is not int or units <= 0:
        return False
    rebuilt = _Scale(units)
    return all(scale(v) == rebuilt(v) and type(scale(v)) is type(rebuilt(v)) for v in _SAMPLES)


def _plain(value: object) -> bool:
    """Only values marshal writes and reads back as the same types (no subclasses)."""
    kind = type(value)
    if kind in _PLAIN or kind is bytes:
        return True
    if (kind is list or kind is tuple) and isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if kind is dict and isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False


def same_font(a: TTFont, b: TTFont) -> bool:
    """Two fonts hold the same state (the rebuilt parts compared by what they do)."""
    skip = {"face", "encoding", "state"}
    if vars(a).keys() != vars(b).keys():
        return False
    if any(vars(a)[k] != vars(b)[k] for k in vars(a) if k not in skip):
        return False
    fa, fb = face_attributes(a.face), face_attributes(b.face)
    if fa.keys() != fb.keys() or vars(a.encoding) != vars(b.encoding):
        return False
    for k in fa:
        if k == "_pdfScale":
            if not all(fa[k](v) == fb[k](v) for v in _SAMPLES):
                return False
        elif fa[k] != fb[k] or type(fa[k]) is not type(fb[k]) or _ustr(fa[k]) != _ustr(fb[k]):
            return False
    return type(a.state) is type(b.state) and len(a.state) == len(b.state) == 0


def _ustr(value: object) -> str | None:
    return value.ustr if isinstance(value, TTFNameBytes) else None


def _store(path: Path, font: TTFont, key: str, data: bytes, name: str) -> None:
    """Write the entry of ``font`` atomically; remove this font's entries of other keys.
    Best effort: a folder that cannot be made is seen before the entry is encoded."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    entry = encode(font, key, data)
    if entry is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=SUFFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(entry)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in path.parent.glob(f"{name}-*{SUFFIX}"):
            base, _, other = old.name.removesuffix(SUFFIX).rpartition("-")
            if old != path and base == name and len(other) == len(key):
                old.unlink(missing_ok=True)
    except OSError:
        pass
