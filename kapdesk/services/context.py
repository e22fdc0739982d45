"""What every use case needs: the database, the clock, the protocols, and who is acting.

Front ends (GUI, CLI, tests) build one ``ServiceContext`` and pass the acting
user's ``Actor`` to every call that changes data; services check the actor's
role, validate through ``kapdesk.domain``, write and audit in one transaction,
and return plain dataclasses (never ORM objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kapdesk.domain.clock import Clock, SystemClock
from kapdesk.domain.errors import NotFound
from kapdesk.domain.permissions import Action, Role, require
from kapdesk.domain.protocol import Protocol, builtin_protocols
from kapdesk.storage.db import Database


@dataclass(frozen=True)
class Actor:
    """The signed-in member of staff; stamped on everything they record."""

    user_id: int
    username: str
    full_name: str
    role: Role
    # Set by UserService.authenticate after an administrator's reset: the front end must
    # have the user choose a new password (UserService.change_password) before going on.
    must_change_password: bool = field(default=False, compare=False)

    def require(self, action: Action) -> None:
        require(self.role, action)


@dataclass
class ServiceContext:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    protocols: Mapping[str, Protocol] = field(default_factory=builtin_protocols)

    def now(self) -> datetime:
        return self.clock.now()

    def protocol(self, protocol_id: str) -> Protocol:
        try:
            return self.protocols[protocol_id]
        except KeyError:
            known = ", ".join(sorted(self.protocols))
            raise NotFound(f"Unknown protocol '{protocol_id}' (known: {known}).") from None
