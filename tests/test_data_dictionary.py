"""data_lake/README.md documents every table and column the pipeline writes, with its type,
and is generated from the same schemas every write is validated against."""

import re
from pathlib import Path

import polars as pl

from checks.dictionary import DICTIONARY, render
from checks.schemas import TABLES

WRITTEN = ["snapshots", "quarantine", "links", "activities", "transitions", "delays", "promises"]


def documented() -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, type)] from the dictionary's markdown tables, in order."""
    tables, current = {}, None
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+)$", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if current and len(cells) == 3 and cells[0] not in {"column", "---"}:
            tables[current].append((cells[0], cells[1]))
    return tables


def test_dictionary_is_generated_from_the_schemas():
    assert DICTIONARY.read_text(encoding="utf-8") == render(), (
        "run: uv run python -m checks.dictionary"
    )


def test_every_written_file_has_exactly_the_documented_columns(demo_lake):
    docs = documented()
    for table in WRITTEN:
        files = sorted((demo_lake / table).rglob("*.parquet"))
        assert files, f"the demo wrote no {table}"
        for path in files:
            schema = [(n, str(t)) for n, t in pl.read_parquet_schema(path).items()]
            assert schema == docs[table], path.relative_to(demo_lake)


def test_history_files_have_the_snapshot_schema(demo_lake):
    files = sorted((demo_lake / "history").glob("org=*/period=*/data.parquet"))
    assert len(files) >= 2  # a file per org and period
    for path in files:
        history = pl.read_parquet_schema(path)
        assert list(history.items()) == list(TABLES["snapshots"].polars_schema.items()), path


def test_version_records_carry_the_schema_version(demo_lake):
    import json

    from checks.schemas import SCHEMA_VERSION

    records = list((demo_lake / "snapshots").rglob("_version.json"))
    assert records
    for path in records:
        assert json.loads(Path(path).read_text("utf-8"))["schema_version"] == SCHEMA_VERSION
