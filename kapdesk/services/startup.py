"""What the app asks before the login window is painted, with Core SQL only.

Importing sqlalchemy.orm, the models and the account service costs ~0.2 s of
start-up; the login window needs only whether any account exists (first run:
create the administrator) and the clinic's name
(:func:`kapdesk.storage.settings_store.read_setting`). ``UserService.has_users``
answers the same question through the ORM.
"""

from __future__ import annotations

from kapdesk.services.context import ServiceContext


def has_users(ctx: ServiceContext) -> bool:
    with ctx.db.connect_read() as conn:
        return bool(conn.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM users)").scalar())
