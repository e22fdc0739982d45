"""The Today board of the demo clinic at 1024x700 (issue 12: nothing cut off).

    ../shared/tools/screenshot /tmp/x.png 60 -- .venv/bin/python tests/ui/make_board_screenshot.py
    (or offscreen: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/make_board_screenshot.py)

Writes resources/screenshots/board-1024x700.png (or the path given). Not collected by
pytest (no test_ prefix).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize

from kapdesk.demo import build_demo_clinic
from kapdesk.services.users import UserService
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.run import _qapplication

sys.path.insert(0, str(Path(__file__).parent))
from make_screenshots import settle

OUT = Path(__file__).resolve().parents[2] / "resources" / "screenshots" / "board-1024x700.png"


def main(out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    qapp = _qapplication()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "demo.sqlite"
        build_demo_clinic(db_path, seed=1, patients=12)
        app = build_app_context(db_path, demo=True)
        app.actor = UserService(app.ctx).authenticate("nurse", "demo")
        window = MainWindow(app, resume=False)
        window.resize(QSize(1024, 700))
        window.show()
        settle(1.5)
        window.grab().save(str(out))
        window.close()
        app.close()
    qapp.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
