"""What `followup status` shows: one line per org × period of the lake, from its commit records."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.lake.store import Lake


@dataclass(frozen=True)
class PeriodStatus:
    org: str
    period: str
    file: str | None  # the period's current input (last registered file)
    version: int | None  # the committed version, None when that file is not committed yet
    rows: int | None
    quarantined: int | None
    check: str  # "ok", the failed check's problems, or "not committed"
    blocked: bool

    def render(self) -> str:
        state = "BLOCKED" if self.blocked else ("ok" if self.version is not None else "pending")
        version = f"v{self.version}" if self.version is not None else "-"
        return (
            f"{self.org} {self.period}  {state}  {self.file}  {version}  "
            f"rows={self.rows if self.rows is not None else '-'}  "
            f"quarantined={self.quarantined if self.quarantined is not None else '-'}  "
            f"check: {self.check}"
        )


def period_status(lake: Lake, org: str | None = None) -> list[PeriodStatus]:
    found = []
    for o, period in lake.periods("raw"):
        if org is not None and o != org:
            continue
        registration = lake.current_registration(o, period)
        record = lake.committed_version(o, period)
        committed = bool(
            record
            and registration
            and (record["source_sha256"], record["report_date"])
            == (registration.source_sha256, registration.report_date)
        )
        check = (record or {}).get("check") or {"passed": True, "problems": []}
        found.append(
            PeriodStatus(
                org=o,
                period=period,
                file=registration.source_file if registration else None,
                version=record["version"] if committed else None,
                rows=record["rows"] if committed else None,
                quarantined=record["quarantined"] if committed else None,
                check=("; ".join(check["problems"]) or "ok") if committed else "not committed",
                blocked=bool(committed and record.get("blocked")),
            )
        )
    return found
