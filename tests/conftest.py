"""Shared test set-up: Qt runs offscreen, pyqtgraph uses PySide6."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

# kapdesk's log file (kapdesk.logs) goes to a temporary folder, never the tester's own.
if not os.environ.get("KAPDESK_LOG_DIR"):
    import tempfile

    os.environ["KAPDESK_LOG_DIR"] = tempfile.mkdtemp(prefix="kapdesk-test-logs-")
