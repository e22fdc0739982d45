"""Two real kapdesk processes on one clinic server, side by side on one X display (issue 14).

Starts Xvfb (no window manager: a band above the screen names each half), two
``kapdesk --db URL`` processes, each with folders of its own as a second workstation has
(XDG_* under a temporary folder), moves their main windows side by side, signs both in
with the keyboard (xdotool), then in the left window ("Room 2") selects the session whose
20-30 min reading is due, presses V and types a reading. Screenshots of the whole screen:

* ``two-workstations-before.png``: the reading typed in the left window, not yet saved;
  the right window's board ("nurse station") still shows it due;
* ``two-workstations-after.png``: one second after Enter: the right window's board shows
  the reading taken (the row moved on to its next reading, the "due" banner gone) without
  anyone touching it.

The clinic server is set up as the README's "Clinic server" section says (server init,
the application role), with a demo clinic on it, e.g.::

    kapdesk server init --url postgresql://clinic_owner@localhost/kapdesk_shots
    kapdesk demo --db postgresql://kapdesk_shots_app@localhost/kapdesk_shots
    .venv/bin/python tests/ui/make_two_workstations_screenshot.py \\
        --db postgresql://kapdesk_shots_app@localhost/kapdesk_shots

The application role's password comes from ``PGPASSFILE`` / ``~/.pgpass`` (as on a
workstation), never from the command line. Needs Xvfb, xdotool and ImageMagick's
``import``/``convert``. The demo's reading is due for ~10 minutes after it is built:
build it just before. Writes into resources/screenshots/ (or ``--out``). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "resources" / "screenshots"
SCREEN = (2560, 800)
WINDOW = (1276, 760)  # each window; no window manager: the captions name them
BEFORE = (
    "Workstation 1, Room 2: a reading typed, not yet saved",
    "Workstation 2, nurse station (another kapdesk process): the reading still due",
)
AFTER = (
    "Workstation 1, Room 2: Enter pressed, the reading saved",
    "Workstation 2, nurse station: the reading shows on its board, untouched",
)
CAPTION = 34  # px of the band above the screen naming each workstation


def run(*cmd: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, timeout=60)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip()


def wait_for(what: str, probe: Callable[[], str | None], timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def free_display() -> int:
    for n in range(90, 200):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number")


class Screen:
    """Xvfb on a display of its own (no window manager); the processes started on it."""

    def __init__(self, tmp: Path) -> None:
        self.number = free_display()
        self.env = {**os.environ, "DISPLAY": f":{self.number}", "QT_QPA_PLATFORM": "xcb"}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.tmp = tmp
        size = f"{SCREEN[0]}x{SCREEN[1]}x24"
        self.start(["Xvfb", f":{self.number}", "-screen", "0", size, "-nolisten", "tcp"])
        wait_for("Xvfb", lambda: "ok" if Path(f"/tmp/.X11-unix/X{self.number}").exists() else None)

    def start(self, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{Path(cmd[0]).name}-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(cmd, env=env or self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def xdo(self, *args: str, check: bool = True) -> str:
        return run("xdotool", *args, env=self.env, check=check)

    def window_of(self, pid: int, title: str) -> str:
        def probe() -> str | None:
            found = self.xdo(
                "search", "--all", "--onlyvisible", "--pid", str(pid), "--name", title, check=False
            )
            return found.splitlines()[-1] if found else None

        return wait_for(f"a window '{title}' of process {pid}", probe)

    def type_into(self, window: str, *keys: str) -> None:
        """Focus ``window`` then type: plain text, or '{Key}' for a key (Tab, Return...)."""
        self.xdo("mousemove", "--window", window, "40", "40")
        self.xdo("windowfocus", "--sync", window)
        for key in keys:
            if key.startswith("{") and key.endswith("}"):
                self.xdo("key", "--clearmodifiers", key[1:-1])
            else:
                self.xdo("type", "--delay", "40", key)
            time.sleep(0.1)

    def grab(self, out: Path, left: str, right: str) -> None:
        """The whole screen, a band above it naming each half's workstation."""
        raw = self.tmp / "screen.png"
        run("import", "-window", "root", str(raw), env=self.env)
        run(
            "convert", str(raw), "-gravity", "northwest", "-background", "#263238",
            "-splice", f"0x{CAPTION}", "-fill", "white", "-font", "DejaVu-Sans-Bold",
            "-pointsize", "17", "-annotate", "+14+8", left,
            "-annotate", f"+{SCREEN[0] // 2 + 14}+8", right, str(out),
        )  # fmt: skip

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def due_row(url: str) -> tuple[int, str]:
    """Board row index and room of the session whose 20-30 min reading is due now."""
    from kapdesk.composition import build_context, parse_server_url
    from kapdesk.services.board import BoardService

    ctx = build_context(parse_server_url(url), create=False)
    try:
        rows = BoardService(ctx).today_board()
    finally:
        ctx.db.close()
    for i, row in enumerate(rows):
        if row.next_due is not None and "20-30" in row.next_due.label and row.first_dose_at:
            return i, row.room
    raise RuntimeError("no session with a 20-30 min reading due on the board (build the demo now)")


def workstation_env(screen: Screen, name: str) -> dict[str, str]:
    home = screen.tmp / name
    env = dict(screen.env)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = home / var.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[var] = str(folder)
    return env


def sign_in(screen: Screen, pid: int, user: str, password: str, x: int) -> str:
    login = screen.window_of(pid, "Sign in")
    time.sleep(1.0)  # painted, the preload under way
    screen.type_into(login, user, "{Tab}", password, "{Return}")
    main = wait_for("the main window", lambda: _main_window(screen, pid))
    screen.xdo("windowsize", "--sync", main, str(WINDOW[0]), str(WINDOW[1]))
    screen.xdo("windowmove", "--sync", main, str(x), "0")
    print(screen.xdo("getwindowname", main), screen.xdo("getwindowgeometry", main), sep="\n")
    return main


def _main_window(screen: Screen, pid: int) -> str | None:
    found = screen.xdo(
        "search", "--all", "--onlyvisible", "--pid", str(pid), "--name", "kapdesk", check=False
    )
    for window in found.splitlines():
        if "Sign in" not in screen.xdo("getwindowname", window, check=False):
            return window
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="the workstations' postgresql:// URL")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--user", default="nurse")
    parser.add_argument("--password-env", default="", help="variable holding the password")
    args = parser.parse_args()
    password = os.environ[args.password_env] if args.password_env else "demo"
    kapdesk = str(Path(sys.executable).with_name("kapdesk"))
    args.out.mkdir(parents=True, exist_ok=True)
    row, room = due_row(args.db)
    with tempfile.TemporaryDirectory(prefix="kapdesk-two-") as tmp:
        screen = Screen(Path(tmp))
        try:
            left = screen.start([kapdesk, "--db", args.db], workstation_env(screen, "room2"))
            right = screen.start([kapdesk, "--db", args.db], workstation_env(screen, "station"))
            w_left = sign_in(screen, left.pid, args.user, password, 0)
            sign_in(screen, right.pid, args.user, password, SCREEN[0] - WINDOW[0] - 4)
            time.sleep(3.0)  # both boards painted
            # Room 2's workstation: the due session's row, V, the reading typed.
            screen.type_into(w_left, "{ctrl+Home}", *["{Down}"] * row, "v")
            dialog = screen.window_of(left.pid, "20-30")
            screen.type_into(dialog, "118", "{Tab}", "76", "{Tab}", "72", "{Tab}", "98")
            time.sleep(0.5)
            screen.grab(args.out / "two-workstations-before.png", *BEFORE)
            saved = time.monotonic()
            screen.type_into(dialog, "{Return}")
            # issue 14: on every workstation's board within a second
            time.sleep(max(0.0, saved + 1.0 - time.monotonic()))
            took = time.monotonic() - saved
            screen.grab(args.out / "two-workstations-after.png", *AFTER)
            print(f"row {row} ({room}); the 'after' screen grabbed {took:.2f} s after Enter")
        finally:
            screen.close()
            for log in sorted(Path(tmp).glob("*.log")):
                text = log.read_text(errors="replace").strip()
                if text:
                    print(f"--- {log.name}\n{text[-2000:]}")
    print(f"saved {args.out / 'two-workstations-before.png'} and -after.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
