"""Storage: one SQLite file through SQLAlchemy 2, migrated by Alembic, with an audit trail.

Modules (import them directly; this package re-exports nothing, to keep
imports cheap and acyclic):

* :mod:`~kapdesk.storage.db` - ``Database.open(path)``, ``db.write()``, ``db.read()``.
* :mod:`~kapdesk.storage.orm` - the tables (typed ORM classes), ``UTCDateTime``.
* :mod:`~kapdesk.storage.audit` - ``append``, ``row_snapshot``, ``to_jsonable``, ``verify_chain``.
* :mod:`~kapdesk.storage.backup` - ``backup_database``, ``verify_database``, ``restore_database``.
* :mod:`~kapdesk.storage.settings_store` - typed clinic settings.
* :mod:`~kapdesk.storage.migrate` - Alembic, run programmatically.
* :mod:`~kapdesk.storage.errors` - ``NotAKapdeskDatabase``, ``SchemaTooNew``, ``DatabaseMissing``,
  ``DatabaseBusy``, ``MigrationFailed``, ``BackupError`` (all ``KapdeskError``).
* :mod:`~kapdesk.storage.engine`, :mod:`~kapdesk.storage.sqlite_file` - SQLite specifics.
* :mod:`~kapdesk.storage.encryption` - SQLCipher keys and connections (``key=`` everywhere),
  :mod:`~kapdesk.storage.encrypt_file` - ``encrypt_database`` (``kapdesk encrypt``).
* :mod:`~kapdesk.storage.filesystems` - refusing a database on a network file system.

SQLite-only SQL (pragmas, triggers, ``application_id``) lives in this package
alone, so the models can later run on PostgreSQL.
"""
