"""Demo clinics: one planner, two writers.

* :mod:`kapdesk.demo.plan`: the planner. ``plan.session`` decides what happens in a
  dosing session (vitals, checklist, side effects, observations, note texts) for both
  writers; ``plan.showcase`` plans the small demo's scripted patients, ``plan.years`` the
  big clinic's years of care. :mod:`kapdesk.demo.data` holds the tables both draw from.
* :mod:`kapdesk.demo.small`: the small demo (``kapdesk demo``, the app's ``--demo``),
  written through the real services one call at a time, so every row is audited as in
  use.
* :mod:`kapdesk.demo.bulk`: the big clinic for benchmarks (``kapdesk demo --years N``),
  written with Core inserts in batches (:mod:`kapdesk.demo.bulk_writer`), its audit
  entries chained by the same :class:`kapdesk.storage.audit.AuditAppender` as every
  service write.

* :mod:`kapdesk.demo.rebuild`: a demo clinic's file: is it a demo, the day it was built
  around, and building or rebuilding one in place (``kapdesk demo --reset``, ``--demo``).

Nothing in :mod:`kapdesk.services` imports this package: demo generation is a client of
the services (and, for the bulk writer only, of storage), not a use case.

The writers are imported on first use (PEP 562 ``__getattr__``): ``kapdesk --demo`` reads
the demo's day through :mod:`kapdesk.demo.rebuild` without loading every service first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kapdesk.demo.bulk import BigClinicResult, build_big_clinic
    from kapdesk.demo.small import build_demo_clinic

__all__ = ["BigClinicResult", "build_big_clinic", "build_demo_clinic"]


def __getattr__(name: str) -> object:
    if name in ("BigClinicResult", "build_big_clinic"):
        from kapdesk.demo import bulk

        return getattr(bulk, name)
    if name == "build_demo_clinic":
        from kapdesk.demo import small

        return small.build_demo_clinic
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
