"""Status words and codes → (status, completed), from the editable file ``status_words.yaml``.

Every reader looks status text up here (spreadsheet cells, words in PDF cells, legend lines).
The file is read on first use and cached; ``FOLLOWUP_STATUS_WORDS`` may name an
organisation's own file of the same format, whose words are added and win.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from pipelines.core.errors import FollowupError
from pipelines.core.status import STATUSES

DEFAULT_FILE = Path(__file__).with_name("status_words.yaml")
ENV_VAR = "FOLLOWUP_STATUS_WORDS"

_FOLD = str.maketrans("åäàáâöøôéèêü", "aaaaaoooeeeu")
_VALUE = re.compile(r"^\s*(?P<status>[a-z]+)\s*(?:\+\s*(?P<completed>completed))?\s*$")


@dataclass(frozen=True)
class StatusWord:
    """What a status word says: the traffic light, and whether the activity is done."""

    status: str
    completed: bool = False


def fold_word(text: object) -> str:
    """The lookup key of a status text: NFC, case, å/ä/ö, inner spacing, end punctuation and
    symbols."""
    text = unicodedata.normalize("NFC", str(text)).casefold().translate(_FOLD)
    text = re.sub(r"\s+", " ", text).strip(" .:;!,*\u00a0")
    # Symbols around a word ("● Grön", "Klar ✓") are decoration; a lone dash stays a dash.
    return re.sub(r"^[^\w/]+(?=\w)|(?<=\w)[^\w/]+$", "", text)


def _parse(path: Path) -> dict[str, StatusWord]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FollowupError(f"{path}: cannot read the status-word file ({exc})") from exc
    words = data.get("words") if isinstance(data, dict) else None
    if not isinstance(words, dict):
        raise FollowupError(f"{path}: a status-word file needs a 'words:' mapping")
    table: dict[str, StatusWord] = {}
    for word, value in words.items():
        match = _VALUE.match(str(value).casefold())
        if not match or match["status"] not in STATUSES:
            raise FollowupError(
                f"{path}: {word!r}: {value!r} is not one of {', '.join(STATUSES)} "
                "(optionally followed by '+ completed')"
            )
        meaning = StatusWord(match["status"], bool(match["completed"]))
        key = fold_word(word)
        if table.get(key, meaning) != meaning:
            raise FollowupError(f"{path}: {word!r} is listed twice with different meanings")
        table[key] = meaning
    return table


@lru_cache(maxsize=8)
def _load(extra: str | None) -> dict[str, StatusWord]:
    table = _parse(DEFAULT_FILE)
    if extra:
        path = Path(extra)
        if not path.is_file():
            raise FollowupError(f"{ENV_VAR}={extra}: no such status-word file")
        table = {**table, **_parse(path)}
    return table


def status_words() -> dict[str, StatusWord]:
    """The folded word → meaning table in force (defaults plus the override file, if any)."""
    return _load(os.environ.get(ENV_VAR) or None)


def status_for_word(text: object) -> StatusWord | None:
    """The meaning of a status word or phrase, or None when the file does not list it.

    A blank cell (None, "", spaces) says nothing: ``unknown``, not completed.
    """
    if text is None:
        return StatusWord("unknown")
    key = fold_word(text)
    if not key:
        return StatusWord("unknown")
    return status_words().get(key)


_PARTS = re.compile(r"\s*(?:[–—:;(),/=]|\s-\s|\.\s|!\s)\s*")


def status_for_phrase(text: object) -> StatusWord | None:
    """A status word, or a phrase whose parts agree on one: ``Grön – enligt plan``,
    ``2 - Avvikelse``, ``Försenad (ny tidplan)``. Parts that disagree (``Gul/Röd``) → None.
    """
    whole = status_for_word(text)
    if whole is not None or text is None:
        return whole
    numbered = re.match(r"^\s*\d{1,2}\s*[.)]\s*(\S.*)$", str(text))  # "1. Enligt plan"
    if numbered and status_for_word(numbered.group(1)) is not None:
        return status_for_word(numbered.group(1))
    meanings = {
        found
        for part in _PARTS.split(str(text))
        if re.search(r"[^\W\d_]", part) and (found := status_for_word(part)) is not None
    }
    statuses = {meaning.status for meaning in meanings}
    if len(statuses) != 1:
        return None
    return StatusWord(statuses.pop(), any(meaning.completed for meaning in meanings))
