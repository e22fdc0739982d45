"""``kapdesk check``: the signatures its verified anchor vouches for.

The newest verified anchor the chain is re-hashed from may also record the signatures
that matched their records at its head (:mod:`kapdesk.storage.signature_vouch`). The
check then rebuilds only the others (:attr:`Vouching.plan`), and takes the vouched ones
as matching only if it finds nothing else wrong (:meth:`Vouching.settle`): no problem with
the chain, its anchors, the schema, a setting or a pinned protocol, and every row agreeing
with its audit trail. A row changed behind the app disagrees with its trail; then every
vouched signature is rebuilt and compared with its entry too, so each one such a change
breaks is named as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kapdesk.i18n import _
from kapdesk.services.check_threads import open_worker_connection
from kapdesk.storage import anchor as anchors_mod
from kapdesk.storage.settings_store import configured_backup_folder
from kapdesk.storage.signature_vouch import VouchPlan, plan_for, rebuilt_matches

if TYPE_CHECKING:
    from kapdesk.storage.raw_read import Readable

T = TypeVar("T")


@dataclass
class Vouching:
    anchor: anchors_mod.Anchor
    plan: VouchPlan
    relied: int = 0  # vouched signatures taken as matching (set by settle)

    def settle(
        self, clean: Callable[[], bool], rebuild: Callable[[frozenset[int]], frozenset[int]]
    ) -> frozenset[int]:
        """The vouched signatures that match: all of them when ``clean()`` (the check found
        nothing else wrong), else those ``rebuild`` finds matching now."""
        if clean():
            self.relied = len(self.plan.vouched)
            return self.plan.vouched
        return rebuild(self.plan.vouched)

    def trusted(self) -> frozenset[int]:
        """After :meth:`settle`: the signatures whose record and audit entry the anchor
        vouches for (none when the check was not clean: all are then judged)."""
        return self.plan.vouched if self.relied else frozenset()


def rebuilt_at(path: Path, ids: frozenset[int] | None) -> frozenset[int]:
    """Of the signatures ``ids`` (None: all), those matching, each record printed in SQL."""
    conn = open_worker_connection(path)
    try:
        return rebuilt_matches(conn, ids)
    finally:
        conn.close()


def anchor_files(conn: Readable, path: Path, extra: Iterable[Path]) -> list[Path]:
    """The anchor files of ``path``: beside it, in the user data folder, in the clinic's
    configured backup folder, and ``extra``."""
    chosen = configured_backup_folder(conn)  # the clinic setting: anchors go there too
    if chosen is not None:
        extra = [*extra, anchors_mod.anchor_file(chosen, path)]
    return anchors_mod.existing_anchor_files(path, extra)


def read_all(files: Iterable[Path]) -> tuple[list[anchors_mod.Anchor], list[str]]:
    """Every anchor of ``files``, by the time it was written, and the unreadable lines."""
    anchors: list[anchors_mod.Anchor] = []
    problems: list[str] = []
    for file in files:
        read, unreadable = anchors_mod.read_anchors(file)
        anchors.extend(read)
        problems.extend(unreadable)
    anchors.sort(key=lambda a: a.at)
    return anchors, problems


def vouching(conn: Readable, path: Path, extra: Iterable[Path], full: bool) -> Vouching | None:
    """What the newest verified anchor (the one the chain is re-hashed from) vouches for;
    None with ``full``, on another database than SQLite, or when it vouches for nothing."""
    if full or conn.dialect.name != "sqlite":
        return None
    anchors, _problems = read_all(anchor_files(conn, path, extra))
    newest = anchors_mod.newest_verified(anchors)
    if newest is None or newest.signatures is None:
        return None
    stored = conn.exec_driver_sql(
        "SELECT hash FROM audit_log WHERE id = ?", (newest.entry_id,)
    ).scalar()
    if stored != newest.hash:  # the chain was rewritten: the anchor finding says so
        return None
    plan = plan_for(conn, newest.entry_id, newest.signatures)
    return None if plan is None else Vouching(newest, plan)


def signed_note(checked: int, vouch: Vouching | None) -> str:
    """The check's line on signatures: how many the anchor vouched for, if it did."""
    if vouch is None or not vouch.relied:
        return _("{n} signed records match their signatures", n=checked)
    return _(
        "{n} signed records match their signatures ({vouched} as vouched for by the anchor "
        "of {when}, {rebuilt} rebuilt now; check --full rebuilds every one)",
        n=checked,
        vouched=vouch.relied,
        when=anchors_mod._when(vouch.anchor.at),
        rebuilt=checked - vouch.relied,
    )


def once(fn: Callable[[], T]) -> Callable[[], T]:
    """``fn``, run at the first call only (its result, or its exception, kept)."""
    kept: list[T] = []
    failed: list[BaseException] = []

    def call() -> T:
        if failed:
            raise failed[0]
        if not kept:
            try:
                kept.append(fn())
            except BaseException as exc:
                failed.append(exc)
                raise
        return kept[0]

    return call
