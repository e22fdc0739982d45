"""Is a text on a Portuguese screen English? The words that say so.

A word is English when kapdesk's own English (every source text of the shipped catalogues)
or a short list of common English words uses it, and no Portuguese translation does
("dose", "total", "normal" are both and never count). The vocabulary grows with the
catalogues, so a new English string left out of them is caught by its words.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache

from babel.messages.pofile import read_po

from kapdesk.i18n import catalogues

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%n|%\d|&(?=\w)")
TAG = re.compile(r"<[^>]*>")
# Identifiers shown as written: stored audit actions, entities and columns
# ("vitals.record", "dosing_session", "sign.*"), command-line options and file paths.
CODE = re.compile(r"(?<![\w/])[a-z][a-z0-9]*(?:[._](?:[a-z0-9]+|\*))+(?![\w/])")
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")  # command-line options: --to, -o
PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^\s/\\]+)+[/\\]?")

# Frequent English words, for text that never reached a catalogue.
COMMON_ENGLISH = frozenset(
    str.split(
        """
    the and of to with for from by at on in is are was were be been being not this that
    these those it its you your or an has have had will can cannot may must should would
    all any each every after before until when which what who there here than then into
    out up down over under more less new open close save cancel yes edit add delete
    remove show hide print sign signed today now none due overdue missed record recorded
    reading readings patient patients session sessions course given taken time date name
    note notes please enter choose select required optional back next done start stop
    help about file quit user users settings search week weeks day days hour hours
    minutes last first still only also again already never other same such while
    without within between because since room clinic staff reason since ago left
        """
    )
)

# English words that Portuguese translations quote as protocol-file values ("band =
# 'elevated'"), which would otherwise read as Portuguese.
ENGLISH_ONLY = frozenset(str.split("elevated alert critical"))

# Shown as written in every language: the product, instruments, units, standards, key
# names, and a language's own name in the language choice.
ALLOWED = frozenset(
    str.split(
        """
    kapdesk phq gad moaa spo mmhg bpm kg mg ml min iv im sc pdf csv fhir sha utc id
    sqlite postgresql ok ctrl shift alt esc english
        """
    )
)


def words(text: str) -> list[str]:
    """The lower-case words of a displayed text (markup, mnemonics and placeholders out)."""
    plain = html.unescape(TAG.sub(" ", PLACEHOLDER.sub(" ", text)))
    plain = CODE.sub(" ", PATH.sub(" ", OPTION.sub(" ", plain)))
    return [w.lower() for w in WORD.findall(plain)]


def _ts_pairs() -> list[tuple[str, str]]:
    pairs = []
    for path in catalogues.FOLDER.glob("kapdesk_*.ts"):
        for message in ET.parse(path).getroot().iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            text = "" if translation is None else " ".join(translation.itertext())
            pairs.append((source, text))
    return pairs


def _po_pairs() -> list[tuple[str, str]]:
    pairs = []
    for path in catalogues.FOLDER.glob("*.po"):
        with path.open("rb") as fp:
            for message in read_po(fp):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                texts = message.string if isinstance(message.string, tuple) else (message.string,)
                pairs.append((" ".join(ids), " ".join(t or "" for t in texts)))
    return pairs


def _ids_in(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                yield item
            yield from _ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ids_in(item)


@cache
def identifiers() -> re.Pattern[str]:
    """Names shown as written: the shipped protocols' ids and their rules' and items' ids
    ('kap-default', 'pre-dose-elevated'), the audit log's entities and the database's
    columns ('observation 2', 'kind') the audit log names."""
    import tomllib

    from kapdesk.domain.session_state import SessionState
    from kapdesk.storage.audited import AUDITED
    from kapdesk.storage.orm import Base

    entities = sorted({a.entity for a in AUDITED}, key=len, reverse=True)
    names: set[str] = set(entities) | {state.value for state in SessionState}
    for table in Base.metadata.tables.values():
        names.update(column.name for column in table.columns)
    for path in (catalogues.ROOT / "resources" / "protocols").glob("*.toml"):
        names.update(_ids_in(tomllib.loads(path.read_text(encoding="utf-8"))))
    joined = sorted((n for n in names if "-" in n or "_" in n), key=len, reverse=True)
    single = sorted(names.difference(joined), key=len, reverse=True)
    many, one = "|".join(map(re.escape, joined)), "|".join(map(re.escape, single))
    entity = "|".join(map(re.escape, entities))
    # A one-word name ('kind', 'at') only alone or as an entity with its number
    # ('observation 2'): inside a sentence it is a word like any other.
    return re.compile(
        rf"(?<![\w-])(?:{many})(?![\w-])|^\s*(?:{one})\s*$|(?<![\w-])(?:{entity}) (?=\d)"
    )


@cache
def english_vocabulary() -> frozenset[str]:
    english: set[str] = set(COMMON_ENGLISH)
    portuguese: set[str] = set()
    names = identifiers()
    for source, translation in _ts_pairs() + _po_pairs():
        english.update(words(names.sub(" ", source)))
        portuguese.update(words(names.sub(" ", translation)))
    return frozenset((english - portuguese - ALLOWED) | ENGLISH_ONLY)


def english_words(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The words of ``text`` that are English and not Portuguese (empty: not English);
    identifiers (:func:`identifiers`) are left out."""
    vocabulary = english_vocabulary()
    plain = identifiers().sub(" ", text)
    return [w for w in words(plain) if w in vocabulary and w not in allowed]
