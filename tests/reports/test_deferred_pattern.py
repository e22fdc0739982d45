"""reportlab's paragraph module imported through kapdesk.reports.deferred: its web-address
pattern is compiled on first use, and matches exactly as the compiled one does."""

from __future__ import annotations

import subprocess
import sys

CHECK = r"""
import re
real_compile = re.compile
from kapdesk.reports.deferred import DeferredPattern, import_paragraph
import_paragraph()
from reportlab.platypus import paragraph
assert re.compile is real_compile, "re.compile left replaced"
assert isinstance(paragraph.uri_pat, DeferredPattern), type(paragraph.uri_pat)
assert paragraph.uri_pat._compiled is None  # not compiled by the import
compiled = re.compile(paragraph.uri_pat.pattern, paragraph.uri_pat.flags)
for word in ["https://example.org/a/b/c", "HTTP://Example.ORG:8080/x?y=1", "ftp://1.2.3.4/",
             "https://bücher.example/seite", "not a url", "mailto:x@example.org"]:
    got = paragraph._uri_split_pairs(word)
    m = compiled.match(word)
    assert (got is None) == (m is None), word
    assert paragraph.uri_pat.match(word).groups() == m.groups() if m else True, word
assert paragraph.uri_pat._compiled is not None
print("ok")
"""


def test_the_web_address_pattern_is_compiled_on_first_use_and_matches_the_same() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_an_already_imported_paragraph_module_is_left_as_it_is() -> None:
    from reportlab.platypus import paragraph

    from kapdesk.reports.deferred import import_paragraph

    before = paragraph.uri_pat
    import_paragraph()
    assert paragraph.uri_pat is before
