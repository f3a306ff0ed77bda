"""A module of this project as an older commit had it: the baseline some benchmarks run beside
today's code, read with ``git show`` (None outside a git checkout)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def module_at(commit: str, relative: str, folder: Path, name: str) -> ModuleType | None:
    """``relative`` (e.g. ``pipelines/read/pdf.py``) at ``commit``, imported as ``name``."""
    try:
        source = subprocess.run(
            ["git", "show", f"{commit}:{relative}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
