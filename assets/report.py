"""The controllers' report for one org and period: HTML and Excel (PDF when Chromium is here)."""

import dagster as dg

from pipelines.lake.store import org_slug
from pipelines.orchestration.partitions import org_dimension_mapping, report_partitions
from pipelines.orchestration.resources import LakeResource

FORMATS = (".html", ".xlsx")
# Chromium needs minutes to lay out a PDF of thousands of activities; above this the HTML and
# Excel files are written and `followup report --out x.pdf` can still make the PDF on demand.
MAX_PDF_ACTIVITIES = 1500


@dg.asset(
    partitions_def=report_partitions,
    deps=[
        dg.AssetDep(name, partition_mapping=org_dimension_mapping)
        for name in ("transitions", "delays", "promises")
    ],
    group_name="report",
    kinds={"html", "excel"},
    description=(
        "reports/org=O/period=P/uppfoljning.{html,xlsx,pdf}: the period compared with the one "
        "before, in Swedish (great-tables). PDF only where Chromium is installed."
    ),
)
def controller_report(
    context: dg.AssetExecutionContext, lake: LakeResource
) -> dg.MaterializeResult:
    from pipelines.core.errors import FollowupError
    from pipelines.report.from_lake import report_from_lake
    from pipelines.report.render import find_chromium, write_reports

    keys = context.partition_key.keys_by_dimension  # type: ignore[union-attr]
    org, period = org_slug(keys["org"]), keys["period"]
    store = lake.lake()
    data = report_from_lake(store.root, org, period)
    folder = store.partition_dir("reports", org, period)
    formats = FORMATS
    if data.strip_activities.height > MAX_PDF_ACTIVITIES:
        context.log.info(f"no PDF: more than {MAX_PDF_ACTIVITIES} activities")
    elif find_chromium():
        formats += (".pdf",)
    else:
        context.log.info("no PDF: Chromium is not installed (apt-get install -y chromium)")

    def no_pdf(suffix: str, error: FollowupError) -> None:
        context.log.warning(f"no {suffix.lstrip('.').upper()}: {error}")

    # one HTML render for the .html and the PDF; Chromium starts while it is made
    written = write_reports(data, folder, formats, stem="uppfoljning", on_error=no_pdf)
    return dg.MaterializeResult(
        metadata={
            "compared": f"{data.previous} → {data.period}" if data.previous else data.period,
            "worsened": data.worsened.height,
            "improved": data.improved.height,
            "html": dg.MetadataValue.path(str(written[".html"])),
            **{s.lstrip("."): dg.MetadataValue.path(str(p)) for s, p in written.items()},
        }
    )


OVERVIEW_FORMATS = (".html", ".xlsx")


@dg.asset(
    deps=["transitions", "promises"],
    group_name="report",
    kinds={"html", "excel"},
    description=(
        "reports/overview/oversikt.{html,xlsx}: one row per organisation in the lake (share on "
        "plan, change, weakest goal areas, promised dates passed, a chart), for a county or "
        "national reader."
    ),
)
def overview_report(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    from pipelines.report.overview import overview_from_lake, write_overview

    store = lake.lake()
    frame = overview_from_lake(store.root)
    folder = store.root / "reports" / "overview"
    written = {s: write_overview(frame, folder / f"oversikt{s}") for s in OVERVIEW_FORMATS}
    context.log.info(f"overview of {frame.height} organisations")
    return dg.MaterializeResult(
        metadata={
            "organisations": frame.height,
            **{s.lstrip("."): dg.MetadataValue.path(str(p)) for s, p in written.items()},
        }
    )
