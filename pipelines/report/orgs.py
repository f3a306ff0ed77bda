"""Organisations' display names: ``region-vastmanland`` → ``Region Västmanland``.

A small registry, ``orgs.yaml``: the bundled default (Sweden's 21 regions) ships with the code;
a lake gets its own editable copy at ``<lake>/orgs.yaml`` (written once, never overwritten), which
wins when present. An org in neither is shown by its slug.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import yaml

from pipelines.core.errors import FollowupError
from pipelines.lake.store import atomic_write_bytes, org_slug

BUNDLED = Path(__file__).with_name("orgs.yaml")
LAKE_FILE = "orgs.yaml"


def parse_registry(text: str, source: str) -> dict[str, str]:
    """slug → display name from an ``orgs.yaml`` text; keys may be slugs or names."""
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise FollowupError(f"{source}: not valid YAML ({first})") from exc
    orgs = doc.get("orgs") if isinstance(doc, dict) else None
    if orgs is None:
        return {}
    if not isinstance(orgs, dict):
        raise FollowupError(f"{source}: 'orgs' must map a slug to a name, e.g. region-x: Region X")
    names = {}
    for key, name in orgs.items():
        if not isinstance(name, str) or not name.strip():
            raise FollowupError(f"{source}: organisation {key!r} has no display name")
        names[org_slug(str(key))] = name.strip()
    return names


def bundled_names() -> dict[str, str]:
    return parse_registry(BUNDLED.read_text(encoding="utf-8"), str(BUNDLED.name))


def ensure_lake_registry(lake_root: str | Path) -> Path:
    """The lake's ``orgs.yaml``, written from the bundled default if it has none yet."""
    path = Path(lake_root) / LAKE_FILE
    if not path.exists():
        # a read-only lake still gets its report, with the bundled names
        with contextlib.suppress(OSError):
            atomic_write_bytes(path, BUNDLED.read_bytes())
    return path


def org_names(lake_root: str | Path | None = None) -> dict[str, str]:
    """slug → display name: the lake's registry if it has one, else the bundled default."""
    if lake_root is not None:
        path = Path(lake_root) / LAKE_FILE
        if path.exists():
            return parse_registry(path.read_text(encoding="utf-8"), str(path))
    return bundled_names()


def display_name(slug: str, names: dict[str, str]) -> str:
    return names.get(slug, slug)
