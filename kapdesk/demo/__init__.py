"""Demo clinics: one planner, two writers.

* :mod:`kapdesk.demo.data`: the tables both draw from (people, regimens, texts).
* :mod:`kapdesk.demo.plan`: the planner: who the patients are, their courses and session
  days (:func:`~kapdesk.demo.plan.plan_patients`), and what happens in a session
  (vitals, side effects, note texts: shared by both writers).
* :mod:`kapdesk.demo.small`: the small demo (``kapdesk demo``, the app's ``--demo``),
  written through the real services one call at a time, so every row is audited as
  in use.
* :mod:`kapdesk.demo.bulk`: the big clinic for benchmarks (``kapdesk demo --years N``),
  written with Core inserts in batches (:mod:`kapdesk.demo.bulk_writer`), its audit
  entries chained by the one :class:`kapdesk.storage.audit.AuditAppender`.

Nothing in :mod:`kapdesk.services` imports this package: demo generation is a client
of the services, not a use case.
"""

from __future__ import annotations

from kapdesk.demo.bulk import BigClinicResult, build_big_clinic
from kapdesk.demo.small import build_demo_clinic

__all__ = ["BigClinicResult", "build_big_clinic", "build_demo_clinic"]
