"""Three per-call overheads of great-tables (0.14) removed, without changing what it renders.

1. It re-reads and re-parses its 250 kB ``x_locales.csv`` (and the default-locales table) on
   every locale lookup: each ``fmt_integer``/``fmt_percent``/``fmt_date`` with a locale and every
   nanoplot does several. That was ~50 reads and ~0.25 s of the ~0.6 s a small report's HTML
   took. The tables are package data that never change while we run and great-tables only reads
   the rows it gets back, so the same parsed list is handed out each time.
2. Each ``as_raw_html`` asks which environment it runs in, only to warn inside Quarto; outside
   Quarto that question imports IPython (0.15 s in a fresh ``followup ingest``). The check only
   compares the answer with "quarto", which great-tables decides from ``QUARTO_BIN_PATH`` before
   it looks for IPython; and when IPython has not been imported no IPython shell is running. So
   while IPython is not loaded the check gets "quarto" or "default" from the environment alone.
3. Every number a nanoplot prints (its labels and its accessible summary) is formatted by
   building and rendering a one-column table (~3 ms each; ~1 s of the demo's 93 status-strip
   plots, whose values are only 1, 2 and 3). The result depends only on the value (and its
   type), the currency and the integer flag, so each distinct one is formatted once; a custom
   formatting function, or a value that cannot be a dictionary key, goes straight through.

Only module-level names of great-tables' private modules are replaced, once; if a later
great-tables renames them nothing is patched and rendering is merely slower.
"""

from __future__ import annotations

import functools
import os
import sys

_LOCALE_TABLES = ("_get_locales_data", "_get_default_locales_data")


def apply_gt_speedups() -> None:
    """Patch great-tables as described above (idempotent; call before building tables)."""
    from great_tables import _formats, _render_checks

    for name in _LOCALE_TABLES:
        reader = getattr(_formats, name, None)
        if reader is None or getattr(reader, "_followup_patched", False):
            continue
        cached = functools.cache(reader)
        cached._followup_patched = True  # type: ignore[attr-defined]
        setattr(_formats, name, cached)

    from great_tables import _utils_nanoplots

    compact = getattr(_utils_nanoplots, "_format_number_compactly", None)
    if compact is not None and not getattr(compact, "_followup_patched", False):
        _utils_nanoplots._format_number_compactly = _remembered(compact)

    infer = getattr(_render_checks, "infer_render_env", None)
    if infer is not None and not getattr(infer, "_followup_patched", False):

        @functools.wraps(infer)
        def without_importing_ipython():
            if "IPython" in sys.modules:  # a shell may be running: ask great-tables
                return infer()
            return "quarto" if "QUARTO_BIN_PATH" in os.environ else "default"

        without_importing_ipython._followup_patched = True  # type: ignore[attr-defined]
        _render_checks.infer_render_env = without_importing_ipython


def _remembered(format_compactly):
    """``_format_number_compactly`` that formats each (type, value, currency, integer flag) once."""
    seen: dict[tuple, str] = {}

    @functools.wraps(format_compactly)
    def remembered(val, currency=None, as_integer=False, fn=None):
        if fn is not None:
            return format_compactly(val, currency=currency, as_integer=as_integer, fn=fn)
        key = (type(val), val, currency, as_integer)
        try:
            return seen[key]
        except KeyError:
            pass
        except TypeError:  # not hashable (a list, say)
            return format_compactly(val, currency=currency, as_integer=as_integer)
        text = format_compactly(val, currency=currency, as_integer=as_integer)
        if len(seen) < 10_000:
            seen[key] = text
        return text

    remembered._followup_patched = True  # type: ignore[attr-defined]
    return remembered
