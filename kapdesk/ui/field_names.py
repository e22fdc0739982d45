"""A form's fields are known by the services' names for them (``ValidationError.field``,
in English), whatever language their labels are shown in.

* The services may name a field in the language spoken (kapdesk.i18n):
  :func:`field_aliases` maps those names back, so a refusal finds its field either way
  (``FieldSet(..., aliases=field_aliases(...))``).
* :func:`name_errors` names each field's error line after its label as shown ("Erro:
  Nome completo"), not after the English name the field is known by.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from kapdesk.i18n import ENGLISH, _, current

if TYPE_CHECKING:
    from kapdesk.ui.widgets import Field


def field_aliases(*names: str) -> dict[str, str]:
    """{translated name: name} for each of ``names`` the active language translates."""
    return {_(name): name for name in names if _(name) != name}


def name_errors(fields: Iterable[Field]) -> None:
    """Each field's error line named after the label shown: "Erro: Nome completo". In
    English it keeps the field's name, as it always had ("Idle lock error")."""
    if current() == ENGLISH:
        return
    for f in fields:
        label = f.label.text().replace("&", "")
        f.error.setAccessibleName(
            QCoreApplication.translate("FieldNames", "{field} error").format(field=label)
        )
