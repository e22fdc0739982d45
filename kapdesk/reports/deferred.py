"""reportlab's paragraph module, imported without compiling the pattern it needs only to
break a web address across lines.

``reportlab.platypus.paragraph`` compiles a web-address pattern (a case-insensitive
class over ``\\xa1-\\uffff``) when it is imported: ~35-50 ms of CPU, a tenth of a
``kapdesk report`` process, for a pattern used only when a paragraph must split a long
``scheme://`` word (kapdesk's reports print none). Imported through
:func:`import_paragraph`, that one pattern is compiled on its first use instead.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any

URI_PATTERN_START = "(^(?:[a-z0-9\\.\\-\\+]*)://)"
PARAGRAPH = "reportlab.platypus.paragraph"
_lock = threading.Lock()


class DeferredPattern:
    """A pattern compiled on the first use of any of its methods (``match``...)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled(), name)


def import_paragraph() -> None:
    """Import reportlab's paragraph module (and platypus), its web-address pattern deferred.

    ``re.compile`` is replaced only while that import runs; any other pattern compiled
    meanwhile (another thread) is compiled as usual."""
    if PARAGRAPH in sys.modules:
        return
    with _lock:
        if PARAGRAPH in sys.modules:
            return
        real = re.compile

        def compile_deferring(pattern: Any, flags: Any = 0) -> Any:
            if isinstance(pattern, str) and pattern.startswith(URI_PATTERN_START):
                return DeferredPattern(pattern, int(flags))
            return real(pattern, flags)

        re.compile = compile_deferring
        try:
            import reportlab.platypus.paragraph  # noqa: F401
        finally:
            if re.compile is compile_deferring:
                re.compile = real
