"""Every public service method that takes an ``actor`` is wrapped by ``@audit_denials``.

A method outside the wrapper would let a refused action (PermissionDenied) pass
without its ``denied.<action>`` audit entry. The wrapper is recognised by its
code object, taken from a class decorated here, so a hand-written look-alike or
an undecorated class is caught.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import CodeType, ModuleType
from typing import Any

import kapdesk.services
from kapdesk.services.guard import audit_denials


@audit_denials
class _Probe:
    def act(self, actor: Any) -> None: ...


AUDITED: CodeType = _Probe.act.__code__


def service_modules() -> list[ModuleType]:
    names = pkgutil.walk_packages(kapdesk.services.__path__, "kapdesk.services.")
    return [importlib.import_module(info.name) for info in names]


def actor_methods(cls: type) -> dict[str, Any]:
    """Public methods (inherited ones too) whose own signature has an ``actor`` parameter."""
    found = {}
    for name in dir(cls):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(cls, name)
        fn = raw.__func__ if isinstance(raw, staticmethod | classmethod) else raw
        if inspect.isfunction(fn) and "actor" in inspect.signature(inspect.unwrap(fn)).parameters:
            found[name] = raw
    return found


def unaudited(cls: type) -> list[str]:
    return [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for name, raw in actor_methods(cls).items()
        if not inspect.isfunction(raw) or raw.__code__ is not AUDITED
    ]


def service_classes() -> list[type]:
    return [
        obj
        for module in service_modules()
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module.__name__ and actor_methods(obj)
    ]


def test_every_actor_taking_service_method_audits_its_refusals() -> None:
    classes = service_classes()
    names = {cls.__name__ for cls in classes}
    # The walk reaches the services (not an empty, trivially passing list).
    assert {"PatientService", "SessionService", "DoseService", "ReportService"} <= names
    assert [name for cls in classes for name in unaudited(cls)] == []


def test_the_check_catches_a_method_outside_the_wrapper() -> None:
    class Forgotten:
        def discharge(self, actor: Any, session_id: int) -> None: ...

        def help_text(self) -> str:  # no actor: nothing to audit
            return ""

    @audit_denials
    class Decorated(Forgotten):
        def sign(self, actor: Any, note_id: int) -> None: ...

        @staticmethod
        def bypass(actor: Any) -> None: ...  # the decorator wraps plain methods only

    assert unaudited(Forgotten) == [f"{__name__}.{Forgotten.__qualname__}.discharge"]
    assert sorted(unaudited(Decorated)) == [
        f"{__name__}.{Decorated.__qualname__}.{name}" for name in ("bypass", "discharge")
    ]
