"""What every use case needs: the database, the clock, the protocols, and who is acting.

Front ends (GUI, CLI, tests) build one ``ServiceContext`` and pass the acting
user's ``Actor`` to every call that changes data; services check the actor's
role, validate through ``kapdesk.domain``, write and audit in one transaction,
and return plain dataclasses (never ORM objects).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from kapdesk.domain.clock import Clock, SystemClock, shown_time, zone_of
from kapdesk.domain.errors import NotFound, SignInRevoked
from kapdesk.domain.permissions import Action, Role, require
from kapdesk.i18n import _
from kapdesk.services.changes import ChangeFeed
from kapdesk.storage.db import Database

if TYPE_CHECKING:
    from kapdesk.domain.protocol import Protocol
    from kapdesk.services.corrections import CorrectionsService
    from kapdesk.services.pinned_version import PinnedCourse
    from kapdesk.storage.tables import Bind


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
    # Their language setting ('pt-PT'; None: the computer's), read at sign-in: the GUI
    # speaks it (kapdesk.ui.translation.language_at_sign_in).
    language: str | None = field(default=None, compare=False)

    def require(self, action: Action) -> None:
        require(self.role, action)


class BuiltinProtocols(Mapping[str, "Protocol"]):
    """The shipped protocol presets, read on first use (start-up paints the login window
    without them: parsing the module and the TOML files costs ~20 ms)."""

    def __init__(self) -> None:
        self._loaded: dict[str, Protocol] | None = None

    def _all(self) -> dict[str, Protocol]:
        if self._loaded is None:
            from kapdesk.domain.protocol import builtin_protocols

            self._loaded = builtin_protocols()
        return self._loaded

    def __getitem__(self, key: str) -> Protocol:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@dataclass
class ServiceContext:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    # The protocol files loaded now, by id: what a *new* course starts on.
    protocols: Mapping[str, Protocol] = field(default_factory=BuiltinProtocols)
    # Pinned protocol versions parsed from their stored text, by SHA-256 (see protocol_store).
    pinned: dict[str, Protocol] = field(default_factory=dict, repr=False)
    # Told (actor, error) after a write was refused because the actor's sign-in no longer
    # holds (services.guard): the GUI returns to the sign-in screen. Any thread may call.
    sign_in_revoked: list[Callable[[Actor, SignInRevoked], None]] = field(
        default_factory=list, repr=False, compare=False
    )
    # Each committed write's ChangeSet (services.changes), told in the committing thread.
    changes: ChangeFeed = field(default_factory=ChangeFeed, repr=False, compare=False)

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def tz(self) -> tzinfo | None:
        """The zone people read times in: the clock's (None: the computer's own)."""
        return zone_of(self.clock)

    def shown(self, moment: datetime, fmt: str = "%H:%M", *, zone: bool = False) -> str:
        """``moment`` for a message to a person: local, in the clock's zone (domain.clock)."""
        return shown_time(moment, self.tz, fmt, zone=zone)

    @property
    def corrections(self) -> CorrectionsService:
        """Entered in error (``CorrectionsService(ctx)`` works the same)."""
        from kapdesk.services.corrections import CorrectionsService

        return CorrectionsService(self)

    def course_protocol(self, s: Bind, course: PinnedCourse) -> Protocol:
        """The exact protocol version ``course`` started on (PinnedProtocolMissing if gone)."""
        from kapdesk.services.pinned_version import course_protocol

        return course_protocol(s, self, course)

    def protocol(self, protocol_id: str) -> Protocol:
        """The protocol file loaded now under ``protocol_id`` (for starting a course)."""
        try:
            return self.protocols[protocol_id]
        except KeyError:
            known = ", ".join(sorted(self.protocols))
            raise NotFound(
                _(
                    "Unknown protocol '{protocol}' (known: {known}).",
                    protocol=protocol_id,
                    known=known,
                )
            ) from None


class Service:
    """Base of the service classes (one per use-case area): each works in one context."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
