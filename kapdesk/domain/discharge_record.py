"""A discharge as its session keeps it: one criterion's verdict, and whether a discharge went
against unmet criteria (what the summaries, the session header and the PDFs print).

Apart from :mod:`kapdesk.domain.discharge`, which judges the criteria (the schedule,
vitals, side effects): reading what was stored needs none of that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kapdesk.i18n import _


@dataclass(frozen=True)
class Criterion:
    """One protocol criterion and whether it is met (computed ones say why). ``label`` and
    ``detail`` are ``Wording`` when evaluated here (frozen at discharge in English)."""

    id: str
    label: str
    computed: bool
    met: bool
    detail: str = ""


def discharged_against_criteria(stored: Mapping[str, object], reason: str | None) -> bool:
    """Whether a discharge went against unmet criteria, from what was stored at discharge
    (``discharge_criteria``: its flag, else any frozen check not met) or its reason."""
    flag = stored.get("against_criteria")
    if isinstance(flag, bool):
        return flag
    checks = stored.get("checks")
    if isinstance(checks, list) and any(
        isinstance(c, dict) and c.get("met") is not True for c in checks
    ):
        return True
    return bool(reason)


def against_criteria_text(reason: str | None) -> str:
    """How a discharge against unmet criteria is named on every screen and page."""
    return _("Discharged against criteria: {reason}", reason=reason or _("no reason recorded"))
