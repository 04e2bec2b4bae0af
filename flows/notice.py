"""The notice callback: how library code tells a person something worth knowing, once.

A ``Notice`` receives one line (e.g. "created signing key ..."). The CLI prints it on stderr;
library callers pass their own (or ``None`` for the library's default).
"""

from __future__ import annotations

from collections.abc import Callable

Notice = Callable[[str], None]
