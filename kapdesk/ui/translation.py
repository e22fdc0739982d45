"""The GUI's language: Qt's translators and default locale, set to kapdesk.i18n's language.

``speak(qapp, tag)`` makes ``tag`` the language of everything built from then on: the
non-GUI catalogue (kapdesk.i18n), kapdesk's own ``kapdesk_<ll_CC>.qm`` (the ``tr()``
strings), Qt's translation of its standard buttons and dialogs (``qtbase_<ll_CC>.qm`` or
the older ``qt_<ll_CC>.qm`` shipped with PySide6, when there is one) and QLocale's
default (dates, decimals, weekday names in the widgets). The translators of the previous
language are removed first.

The start-up window speaks ``--lang``, ``KAPDESK_LANG`` or the computer's language;
each sign-in chooses again (:func:`language_at_sign_in`), and windows built after it
speak the new language: no restart.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QTranslator,
)

from kapdesk.i18n import ENGLISH, choose, file_stem, pinned, set_language

TRANSLATOR = "kapdesk-translator"  # the objectName of the translators installed here

# Qt's standard buttons (QDialogButtonBox, QMessageBox). PySide6 ships no Qt 6 translation
# of them for pt-PT (its qt_pt_PT.qm is Qt 4's, in another context), so kapdesk's own
# catalogue carries them, in Qt's context.
STANDARD_BUTTONS = (
    QT_TRANSLATE_NOOP("QPlatformTheme", "OK"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Cancel"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Close"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Save"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Discard"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Don't Save"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Close without Saving"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Apply"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Reset"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Restore Defaults"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Help"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Open"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "&Yes"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "&No"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Abort"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Retry"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Ignore"),
)


def _load_app(translator: QTranslator, tag: str) -> bool:
    entry = resources.files("kapdesk.resources") / "i18n" / f"kapdesk_{file_stem(tag)}.qm"
    with resources.as_file(entry) as path:
        return path.is_file() and translator.load(str(path))


def _load_qt(translator: QTranslator, tag: str) -> bool:
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    stem = file_stem(tag)
    return any(translator.load(f"{name}_{stem}", folder) for name in ("qtbase", "qt"))


def speak(app: QCoreApplication, tag: str) -> str:
    """Speak ``tag`` from now on (see the module's doc); returns it."""
    chosen = set_language(tag)
    for old in app.findChildren(QTranslator, TRANSLATOR):
        QCoreApplication.removeTranslator(old)
        old.deleteLater()
    if chosen == ENGLISH:
        QLocale.setDefault(QLocale.system())  # as kapdesk has always shown numbers and dates
        return chosen
    for load in (_load_qt, _load_app):
        translator = QTranslator(app)
        translator.setObjectName(TRANSLATOR)
        if load(translator, chosen):
            QCoreApplication.installTranslator(translator)
        else:
            translator.deleteLater()
    QLocale.setDefault(QLocale(file_stem(chosen)))
    return chosen


def language_at_sign_in(user_setting: str | None) -> str:
    """The signed-in user's language: ``--lang`` when given, else their setting, else
    KAPDESK_LANG, else the computer's (kapdesk.i18n.choose)."""
    return choose(flag=pinned(), user=user_setting)
