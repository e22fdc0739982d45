"""The demo planner: what a clinic looks like, for both writers (see :mod:`kapdesk.demo`).

* :mod:`.session`: what happens in one dosing session (vitals, checklist, side effects,
  observations, note texts), decided the same way for the small and the big clinic.
* :mod:`.showcase`: the small demo's patients: a scripted showcase of every feature.
* :mod:`.years`: the big clinic's patients: years of acute, booster and maintenance care.

Both patient planners draw names, ages and weights, regimens and PHQ-9 profiles from the
same tables (:mod:`kapdesk.demo.data`) and the same helpers here; what differs is the
shape of care they plan (one scripted acute course each vs. years of courses).
"""

from __future__ import annotations

from kapdesk.demo.plan.session import Vitals, local_time, minutes

__all__ = ["Vitals", "local_time", "minutes"]
