"""The patient chart built ahead, while the app is idle after the Patients page is first shown.

The first chart of a process cost ~370 ms where a later one cost ~150 ms: ~60 % of the
difference was building and styling the chart's ~300 widgets and pyqtgraph's plot items
for the first time (the imports were done already, by the sign-in preload). None of that
depends on the patient, so :class:`ChartWarmup` does it ahead: ``WARM_AFTER_MS`` after the
Patients page is built (the Today board is on screen by then) it builds an empty
``PatientChart`` (no patient: it reads and audits nothing, it holds no patient data), its
widgets styled as they are built. The page puts it in its stack when it is first opened
(deleted with the stack if it never is).

One part a turn of the event loop (a 0-ms timer between parts), the parts being the
chart's own (``PatientChart.build_step``: the header, the PHQ-9 plot a part at a time
(``OutcomeChart.build_step``: the plot and its axes, the severity bands, the lines, the
curves, the legend), the Outcomes tab's tables, the Sessions tab, the notes panel, the
tabs put together): a key press or a click waits for one part at most.
Opening a chart before the warm-up is done builds what is left at once (:meth:`finish`),
as without a warm-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QStackedWidget

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.patient_chart import PatientChart

# After the Patients page is built (on its first visit, not at sign-in): a name typed into
# its search at once is handled before the first part runs.
WARM_AFTER_MS = 1000


class ChartWarmup(QObject):
    def __init__(self, app: AppContext, stack: QStackedWidget, parent: QObject) -> None:
        super().__init__(parent)
        self.app = app
        self.stack = stack
        self.chart: PatientChart | None = None
        self.turns = 0  # event-loop turns taken (tests)
        self._opening = False  # finish() runs the steps left: the chart is being opened
        self.ran: list[str] = []  # the steps run, by name (tests)
        self.steps: list[Callable[[], bool]] = [self._create, self._build_part]
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._next)

    @property
    def done(self) -> bool:
        return not self.steps

    def start(self, after_ms: int = WARM_AFTER_MS) -> None:
        if self.steps:
            self._timer.start(after_ms)

    def finish(self) -> PatientChart:
        """Everything left, now (a chart is opened before the warm-up is done); the chart."""
        self._timer.stop()
        self._opening = True
        while self.steps:
            self._run(self.steps[0])
        assert self.chart is not None
        return self.chart

    def _next(self) -> None:
        if not self.steps:
            return
        self.turns += 1
        self._run(self.steps[0])
        if self.steps:
            self._timer.start(0)

    def _run(self, step: Callable[[], bool]) -> None:
        """One step; it stays first while it returns True (more of it next turn)."""
        again = step()
        self.ran.append(step.__name__)
        if not again:
            self.steps.pop(0)

    # -------------------------------------------------------------- the steps
    def _create(self) -> bool:
        from kapdesk.ui.patient_chart import PatientChart  # imported by the sign-in preload

        if self._opening:
            # Created at the open (nothing built ahead): a child of the stack from the start,
            # so putting it in the stack does not move it and Qt does not re-resolve the
            # style, font and palette of its ~300 widgets then (~8 % of the open's CPU).
            # Not when built ahead: laid out over several turns as a hidden child of the
            # stack, its banners came out 2 px shorter than in a chart built at an open.
            self.chart = PatientChart(self.app, None, self.stack, deferred=True)
        else:
            self.chart = PatientChart(self.app, None, deferred=True)
            self.stack.destroyed.connect(self.chart.deleteLater)  # never opened: it goes too
        return False

    def _build_part(self) -> bool:
        assert self.chart is not None
        return self.chart.build_step()
