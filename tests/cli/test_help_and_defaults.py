"""`--help` is clean for every command, and commands take the lake's only organisation."""

import re

import pytest
import typer.main

from pipelines.cli import _the_org, app, main
from pipelines.core.errors import FollowupError
from pipelines.lake.store import Lake

COMMANDS = sorted(typer.main.get_command(app).commands)


def test_the_command_list_gives_one_unbroken_line_per_command(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    listed = re.findall(r"(?m)^  (\w+)\s+(.+)$", text.split("Commands:")[1])
    assert sorted(name for name, _ in listed) == COMMANDS
    for name, summary in listed:
        assert not summary.endswith("..."), (name, summary)
    assert "<bool>" not in text


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_says_what_it_does_with_an_example(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert re.search(rf"(?m)^  Example:\n    followup {command}\b", text), text
    assert "<bool>" not in text, text


def _lake_with(tmp_path, orgs):
    lake = Lake(tmp_path / "lake")
    for org in orgs:
        (lake.root / "raw" / f"org={org}" / "period=2023-Q1").mkdir(parents=True, exist_ok=True)
    return lake


def test_the_only_organisation_is_taken_and_several_are_named(tmp_path):
    assert _the_org(_lake_with(tmp_path / "one", ["region-x"]), None) == "region-x"
    assert _the_org(_lake_with(tmp_path / "one", ["region-x"]), "other") == "other"
    with pytest.raises(FollowupError, match="pass --org, one of: kommun-a, region-x"):
        _the_org(_lake_with(tmp_path / "two", ["region-x", "kommun-a"]), None)
    with pytest.raises(FollowupError, match="no reports yet"):
        _the_org(_lake_with(tmp_path / "none", []), None)


def test_report_without_org_on_the_demo_lake(demo_lake, tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", "--lake", str(demo_lake), "--out", str(out)]) == 0
    assert "region-vastmanland" in out.read_text(encoding="utf-8")
