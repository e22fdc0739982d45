"""Before the QApplication: can Qt's xcb platform plugin load on this machine?

On a fresh Debian/Ubuntu machine a few small X libraries (libxcb-icccm4,
libxcb-keysyms1, libxcb-cursor0, ...) are often missing; Qt then aborts the
process (SIGABRT) with a message that names only one of them. kapdesk reads the
libraries the plugin links against (the ELF ``DT_NEEDED`` entries of
``libqxcb.so`` and ``libQt6XcbQpa.so.6`` inside PySide6), tries to load each
one, and names every missing Debian package in one line instead.

No Qt import here: this runs before PySide6's GUI libraries are loaded.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

# What the xcb plugin of Qt 6 links against (readelf -d libqxcb.so libQt6XcbQpa.so.6,
# PySide6 6.11), and the Debian/Ubuntu package that ships each library.
XCB_PACKAGES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

# Shipped inside the PySide6 wheel, or part of every Linux system.
_ALWAYS_THERE = ("libQt6", "libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "libdl.so")
_PLUGIN_FILES = ("plugins/platforms/libqxcb.so", "lib/libQt6XcbQpa.so.6")

Loader = Callable[[str], object]


def load_library(soname: str) -> object:
    """Loads one shared library (the tests replace this with a loader that can fail)."""
    import ctypes  # only when the xcb platform is about to be used

    return ctypes.CDLL(soname)


def wants_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Will Qt try the xcb platform plugin? (Linux, an X display, no other platform asked for.)"""
    if not platform.startswith("linux") or not environ.get("DISPLAY"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(":", 1)[0].split(";", 1)[0] == "xcb"
    # Qt 6 prefers Wayland in a Wayland session and only falls back to xcb.
    return not (environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland")


def qt_folder() -> Path | None:
    """PySide6's Qt folder, found without importing PySide6."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return folder if folder.is_dir() else None


def needed_libraries(path: Path) -> list[str]:
    """The DT_NEEDED sonames of a 64-bit little-endian ELF file; [] if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return []
    try:
        (shoff,) = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = [
            struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)
        ]
        names: list[str] = []
        for section in sections:
            if section[1] != 6:  # SHT_DYNAMIC
                continue
            offset, size, link = section[4], section[5], section[6]
            strings = sections[link][4]
            for entry in range(offset, offset + size, 16):
                tag, value = struct.unpack_from("<qQ", data, entry)
                if tag == 0:  # DT_NULL
                    break
                if tag == 1:  # DT_NEEDED
                    end = data.index(b"\0", strings + value)
                    names.append(data[strings + value : end].decode("ascii"))
        return names
    except (struct.error, IndexError, ValueError, UnicodeDecodeError):
        return []


def libraries_to_check(qt: Path | None) -> list[str]:
    """What the plugin links against (read from its files), else the known list."""
    found: list[str] = []
    for relative in _PLUGIN_FILES if qt is not None else ():
        assert qt is not None
        for name in needed_libraries(qt / relative):
            if name not in found and not name.startswith(_ALWAYS_THERE):
                found.append(name)
    return found or list(XCB_PACKAGES)


def missing_libraries(sonames: Iterable[str], loader: Loader | None = None) -> list[str]:
    loader = loader or load_library
    missing = []
    for soname in sonames:
        try:
            loader(soname)
        except OSError:
            missing.append(soname)
    return missing


def missing_message(missing: list[str], debian: bool = True) -> str:
    """One line: what is missing and the command that installs it."""
    if not debian:
        return (
            "kapdesk cannot open a window: Qt's xcb platform plugin needs these system "
            f"libraries, which are missing: {', '.join(missing)}"
        )
    packages = list(dict.fromkeys(XCB_PACKAGES.get(name, name) for name in missing))
    return (
        "kapdesk cannot open a window: Qt's xcb platform plugin needs the system packages "
        f"{', '.join(packages)}; install them with: sudo apt-get install {' '.join(packages)}"
    )


def xcb_problem(
    environ: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    loader: Loader | None = None,
    qt: Path | None = None,
) -> str | None:
    """The one-line message if the xcb plugin would not load; None when all is well."""
    environ = os.environ if environ is None else environ
    if not wants_xcb(environ, platform):
        return None
    folder = qt if qt is not None else qt_folder()
    missing = missing_libraries(libraries_to_check(folder), loader)
    if not missing:
        return None
    return missing_message(missing, debian=Path("/etc/debian_version").exists())
