"""Fold Swedish text to the form OCR leaves behind, so one pattern matches both.

OCR of the reports loses diacritics (``pågår`` → ``pagar``, ``hösten`` → ``hosten``). Rules are
written against the folded form: NFC, lower case, å/ä/à/á→a, ö/ø→o, é/è→e, ü→u, every whitespace
character → one space character. Folding is length-preserving character by character (apart from
lower-casing exotic characters), so match offsets in folded text point at the original text.
"""

from __future__ import annotations

import unicodedata

import polars as pl

_PAIRS = {
    "a": "åäàáâ",
    "o": "öøô",
    "e": "éèê",
    "u": "ü",
    " ": "\t\n\r\f\v\u00a0\u2009\u202f",
}
# Upper-case letters are lowered first; folding them too keeps the polars path independent of order.
_FROM = "".join(chars + chars.upper() for chars in _PAIRS.values() if chars.strip())
_FROM += _PAIRS[" "]
_TO = "".join(target * (2 * len(chars)) for target, chars in _PAIRS.items() if target != " ")
_TO += " " * len(_PAIRS[" "])
_TABLE = str.maketrans(_FROM, _TO)


def fold(text: str | None) -> str:
    """Fold one string (see module docstring); None becomes the empty string."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text).lower().translate(_TABLE)


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """The same folding as :func:`fold`, as a polars expression (null stays null)."""
    return expr.str.normalize("NFC").str.to_lowercase().str.replace_many(list(_FROM), list(_TO))
