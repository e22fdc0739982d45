"""The patient chart built ahead, while the app is idle after sign-in.

The first chart of a process cost ~370 ms where a later one cost ~150 ms: ~60 % of the
difference was building and styling the chart's ~300 widgets and pyqtgraph's plot items
for the first time (the imports were done already, by the sign-in preload). None of that
depends on the patient, so :class:`ChartWarmup` does it ahead: it builds an empty
``PatientChart`` (no patient: it reads and audits nothing, it holds no patient data), its
widgets styled as they are built.

When (issue 13: a chart opened as soon as the Patients page shows, after sign-in, still
cost ~320 ms while the page's own warm-up waited for its start delay):

* after sign-in: ``AHEAD_AFTER_MS`` after the main window's first paint, while the Today
  board is idle (:func:`build_ahead`: signing in to the board painted is not slowed by
  it), if the signed-in role may view charts. Not while the sign-in window waits for the
  password: the empty chart (~7.5 MB) would then be alive during the password check,
  whose argon2 hash (64 MiB) is the process's peak memory (the big clinic app's peak RSS
  ~249.5 MB against ~242 MB, target 250), and a chart opened at once after sign-in was
  no faster for it (a person does not open one within the ~0.2 s the build takes);
* else (none started, a page built again) ``WARM_AFTER_MS`` after the Patients page is built.

The Patients page takes the warm-up over (:meth:`ChartWarmup.adopt`) and puts the chart in
its stack when it is first opened; a chart never opened goes with its owner (the page's
stack, else the main window).

One part a turn of the event loop (a 0-ms timer between parts), the parts being the
chart's own (``PatientChart.build_step``: the header, the PHQ-9 plot a part at a time
(``OutcomeChart.build_step``: the plot and its axes, the severity bands, the lines, the
curves, the legend), the Outcomes tab's tables, the Sessions tab, the notes panel, the
tabs put together): a key press or a click waits for one part at most (~15 ms).
Opening a chart before the warm-up is done builds what is left at once (:meth:`finish`),
as without a warm-up.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QStackedWidget, QWidget

from kapdesk.domain.permissions import Action, can

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.patient_chart import PatientChart

# After the Patients page is built (when no warm-up was begun before): a name typed into
# its search at once is handled before the first part runs.
WARM_AFTER_MS = 1000
# After the main window's first paint (the Today board accepts input first: its paint's
# turn is over by then).
AHEAD_AFTER_MS = 30

# The warm-up begun by the main window, until the Patients page takes it over (one per app).
_AHEAD: weakref.WeakKeyDictionary[AppContext, ChartWarmup] = weakref.WeakKeyDictionary()


def build_ahead(app: AppContext, window: QWidget) -> ChartWarmup:
    """Build the chart ``AHEAD_AFTER_MS`` after ``window``, the main window, is first
    painted, if the signed-in role may view charts."""
    warmup = _AHEAD[app] = ChartWarmup(app, None, window)
    window.installEventFilter(warmup)
    return warmup


class ChartWarmup(QObject):
    def __init__(self, app: AppContext, stack: QStackedWidget | None, parent: QObject) -> None:
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
        self._owner: QObject | None = None  # the chart, never opened, goes with it

    @property
    def done(self) -> bool:
        return not self.steps

    @classmethod
    def adopt(cls, app: AppContext, stack: QStackedWidget, parent: QObject) -> ChartWarmup:
        """The warm-up begun ahead (:func:`build_ahead`), now the Patients page's (its chart
        goes with ``stack``), else a new one."""
        warmup = _AHEAD.pop(app, None)
        if warmup is None or not shiboken6.isValid(warmup) or warmup.stack is not None:
            return cls(app, stack, parent)
        warmup.stack = stack
        warmup.setParent(parent)
        warmup.tie()
        return warmup

    def start(self, after_ms: int = WARM_AFTER_MS) -> None:
        """Go on ``after_ms`` from now, unless going on already or due sooner."""
        if not self.steps:
            return
        if self._timer.isActive() and self._timer.remainingTime() <= after_ms:
            return
        self._timer.start(after_ms)

    def tie(self) -> None:
        """The chart, if never opened, goes with the stack, else with this warm-up's parent
        (only one of them: the main window may go before the chart is opened)."""
        owner = self.stack if self.stack is not None else self.parent()
        chart = self.chart
        if chart is None or owner is self._owner or owner is None:
            return
        if self._owner is not None and shiboken6.isValid(self._owner):
            self._owner.destroyed.disconnect(chart.deleteLater)
        owner.destroyed.connect(chart.deleteLater)
        self._owner = owner

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The main window's first paint (:func:`build_ahead`): go on shortly after it."""
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            actor = self.app.actor
            if actor is not None and can(actor.role, Action.VIEW_PATIENT):
                self.start(AHEAD_AFTER_MS)
        return False

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
            self.tie()
        return False

    def _build_part(self) -> bool:
        assert self.chart is not None
        return self.chart.build_step()
