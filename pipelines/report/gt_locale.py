"""great-tables reads its locale tables once per process instead of on every lookup.

great-tables (0.14) re-reads and re-parses its 250 kB ``x_locales.csv`` (and the default-locales
table) on every locale lookup: each ``fmt_integer``/``fmt_percent``/``fmt_date`` with a locale
and every nanoplot does several. That was ~50 reads and ~0.25 s of the ~0.6 s a small report's
HTML took. The tables are package data that never change while we run and great-tables only reads
the rows it gets back, so the same parsed list is handed out each time. Only the module-level
names ``great_tables._formats`` looks up are replaced; if a later great-tables renames them,
nothing is patched and rendering is merely slower.
"""

from __future__ import annotations

import functools

_NAMES = ("_get_locales_data", "_get_default_locales_data")


def read_locales_once() -> None:
    """Memoise great-tables' locale tables (idempotent; call before building tables)."""
    from great_tables import _formats

    for name in _NAMES:
        reader = getattr(_formats, name, None)
        if reader is None or getattr(reader, "_followup_cached", False):
            continue
        cached = functools.cache(reader)
        cached._followup_cached = True  # type: ignore[attr-defined]
        setattr(_formats, name, cached)
