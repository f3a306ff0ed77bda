"""Follow-up period labels: ``2022-Q2`` (quarter), ``2022-T2`` (tertial), ``2022-H1`` (half year),
``2022-FY`` (the whole year, årsredovisning).

A tertial is cumulative in Swedish reporting (T2 = Jan–Aug), but it is labelled by the month it
ends, which is what ordering and date arithmetic need.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipelines.core.errors import FollowupError

PERIOD_PATTERN = r"^(\d{4})-(Q[1-4]|T[1-3]|H[12]|FY)$"
_PERIOD_RE = re.compile(PERIOD_PATTERN)
# Last month of each period kind.
_END_MONTH = {
    **{f"Q{i}": 3 * i for i in range(1, 5)},
    **{f"T{i}": 4 * i for i in range(1, 4)},
    "H1": 6,
    "H2": 12,
    "FY": 12,
}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    part: str

    @property
    def label(self) -> str:
        return f"{self.year}-{self.part}"

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        month = _END_MONTH[self.part]
        first_of_next = dt.date(self.year + month // 12, month % 12 + 1, 1)
        return first_of_next - dt.timedelta(days=1)

    def __str__(self) -> str:
        return self.label


def is_period(label: str) -> bool:
    return bool(_PERIOD_RE.match(label or ""))


def parse_period(label: str) -> Period:
    """Parse a period label (any case), or raise a FollowupError that says what is valid."""
    text = (label or "").strip().upper()
    match = _PERIOD_RE.match(text)
    if not match:
        raise FollowupError(
            f"period {label!r} is not a period label; use e.g. 2022-Q2 (quarter), "
            "2022-T2 (tertial), 2022-H1 (half year) or 2022-FY (year)"
        )
    return Period(int(match.group(1)), match.group(2))


def period_for_report_date(report_date: dt.date) -> Period:
    """The latest quarter ended on or before the report date (2022-07-07 → 2022-Q2)."""
    quarter = (report_date.month - 1) // 3  # quarters fully ended before this month's quarter
    if quarter == 0:
        return Period(report_date.year - 1, "Q4")
    return Period(report_date.year, f"Q{quarter}")


def period_sort_key(label: str) -> tuple[dt.date, str]:
    """Order periods by their end date (then label), so 2022-T1 < 2022-Q2 < 2022-H1 < 2022-T2."""
    period = parse_period(label)
    return (period.end, period.label)
