"""Writing rows out for people: CSV that spreadsheet programs cannot run as formulas, Parquet."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.lake.store import atomic_write_bytes, atomic_write_parquet

# A cell starting like this is a formula to Excel/LibreOffice (CSV injection).
_FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-\S)")


def defuse_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells (and column names: `followup sql` names them) that would run as
    spreadsheet formulas with an apostrophe."""
    frame = frame.rename({name: f"'{name}" for name in frame.columns if _FORMULA_START.match(name)})
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START.pattern))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )


def write_rows(frame: pl.DataFrame, out: Path) -> None:
    """Write to .csv (UTF-8 with BOM so Excel shows å ä ö, formulas defused) or .parquet."""
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        atomic_write_parquet(frame, out)
    elif suffix == ".csv":
        text = defuse_formulas(frame).write_csv()
        atomic_write_bytes(out, "\ufeff".encode() + text.encode("utf-8"))
    else:
        raise FollowupError(f"--out {out.name}: write .csv or .parquet")
