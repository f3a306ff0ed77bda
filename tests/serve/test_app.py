"""`followup serve` driven through Starlette's TestClient on a copy of the demo lake: the queue,
decisions written with who and when and the history re-derived through Dagster, status
corrections, CSRF, a broken overrides file, two tabs at once, uploads."""

import re
import threading
from pathlib import Path

import polars as pl
import pytest
from starlette.testclient import TestClient

from pipelines.derive.overrides import load_status_overrides
from pipelines.derive.refresh import read_history
from pipelines.lake.store import Lake
from pipelines.link.linker import load_overrides
from pipelines.serve.app import bind_warning, build_app
from tests.serve.conftest import queue_items


def _client(lake: Path, name: str | None = "Karin Ödmark", **options) -> tuple[TestClient, str]:
    client = TestClient(build_app(lake, rebuild_reports=False, **options))
    client.get("/granska")
    csrf = client.cookies.get("followup_csrf")
    assert csrf
    if name:
        client.post("/namn", data={"csrf": csrf, "name": name, "back": "/granska"})
    return client, csrf


def _links(lake: Path) -> pl.DataFrame:
    return pl.read_parquet(lake / "links" / "**" / "*.parquet", hive_partitioning=False)


def _flagged_link(lake: Path) -> dict:
    return _links(lake).filter(pl.col("needs_review")).row(0, named=True)


def _form(link: dict, action: str) -> dict:
    """The decision form's fields for one link (without the csrf token)."""
    return {
        "org": link["org"],
        "period": link["period"],
        "source_row": str(link["source_row"]),
        "activity_id": link["activity_id"],
        "action": action,
    }


def _snapshot_row(lake: Path, org: str, period: str, row: int) -> dict:
    frame = pl.read_parquet(lake / "snapshots" / f"org={org}" / f"period={period}" / "data.parquet")
    return frame.filter(pl.col("source_row") == row).row(0, named=True)


def test_the_queue_shows_every_flagged_link_with_whole_ids_and_candidates(served_lake):
    client, _ = _client(served_lake)
    html = client.get("/granska").text
    links = _links(served_lake)
    flagged = links.filter(pl.col("needs_review"))
    assert flagged.height > 0
    shown = set(queue_items(html))
    for org, period, row in flagged.select("org", "period", "source_row").iter_rows():
        assert (org, period, row) in shown
    for activity_id in flagged["activity_id"]:
        assert f'<span class="id">{activity_id}</span>' in html  # whole, never cut
    near_new = (pl.col("method") == "new") & (pl.col("score") >= 70)
    queued = links.filter(pl.col("needs_review") | near_new)  # a new row may be flagged too
    assert len(shown) == queued.height
    assert html.count('class="choose"') >= len(shown)


def test_a_confirmed_link_is_recorded_and_the_history_derived_again(served_lake):
    client, csrf = _client(served_lake)
    link = _flagged_link(served_lake)
    form = {**_form(link, "confirm"), "csrf": csrf, "note": "samma <insats>"}
    response = client.post("/granska/beslut", data=form)
    assert response.status_code == 200
    assert "historiken omräknad" in response.text
    assert re.search(r'id="row-method">override<', response.text)
    overrides = load_overrides(served_lake / "overrides" / "links.csv")
    decided = overrides.row(0, named=True)
    assert (decided["action"], decided["activity_id"], decided["decided_by"]) == (
        "confirm",
        link["activity_id"],
        "Karin Ödmark",
    )
    assert decided["note"] == "samma <insats>" and decided["decided_at"]
    after = _links(served_lake).filter(
        (pl.col("period") == link["period"]) & (pl.col("source_row") == link["source_row"])
    )
    assert after["method"].to_list() == ["override"]
    assert not after["needs_review"][0]
    # the decided row leaves the queue
    assert (link["org"], link["period"], link["source_row"]) not in queue_items(
        client.get("/granska").text
    )


def test_a_status_correction_is_applied_and_the_reason_escaped(served_lake):
    client, csrf = _client(served_lake)
    page = client.get("/status").text
    org, period = re.search(
        r'name="org" value="([^"]+)"><input type="hidden" name="period" value="([^"]+)"', page
    ).groups()
    rows = [int(r) for r in re.findall(r'id="status-(\d+)"', page)]
    history = read_history(Lake(served_lake))
    open_rows = history.filter(
        pl.col("status_source").is_in(["inferred", "absent", "override"])
        | (pl.col("status") == "unknown")
    )
    # by default the latest period that has rows whose status was not reported
    latest = max(
        (p for p in open_rows["period"].unique()),
        key=lambda p: history.filter(pl.col("period") == p)["report_date"][0],
    )
    assert period == latest
    expected = open_rows.filter(pl.col("period") == period)
    assert rows and sorted(rows) == sorted(expected["source_row"].to_list())
    row = rows[0]
    before = _snapshot_row(served_lake, org, period, row)
    new_status = "red" if before["status"] != "red" else "green"
    response = client.post(
        "/status/beslut",
        data={
            "csrf": csrf,
            "org": org,
            "period": period,
            "source_row": str(row),
            "status": new_status,
            "reason": "enheten meddelar <b>stopp</b>",
        },
    )
    assert response.status_code == 200
    assert "enheten meddelar &lt;b&gt;stopp&lt;/b&gt;" in response.text
    assert "<b>stopp</b>" not in response.text
    after = _snapshot_row(served_lake, org, period, row)
    assert (after["status"], after["status_source"]) == (new_status, "override")
    assert (after["status_before_override"], after["status_source_before_override"]) == (
        before["status"],
        before["status_source"],
    )
    history = read_history(Lake(served_lake))
    assert history.filter((pl.col("period") == period) & (pl.col("source_row") == row))[
        "status_source"
    ].to_list() == ["override"]
    recorded = load_status_overrides(served_lake / "overrides" / "status.csv").row(0, named=True)
    assert recorded["decided_by"] == "Karin Ödmark" and recorded["status"] == new_status


def test_forms_need_the_sessions_csrf_token_and_a_name(served_lake):
    client, csrf = _client(served_lake)
    data = _form(_flagged_link(served_lake), "reject")
    assert client.post("/granska/beslut", data=data).status_code == 403
    assert client.post("/granska/beslut", data={**data, "csrf": "x" * 43}).status_code == 403
    other, other_csrf = _client(served_lake)  # another browser's valid token is not ours
    assert client.post("/granska/beslut", data={**data, "csrf": other_csrf}).status_code == 403
    anonymous, anonymous_csrf = _client(served_lake, name=None)
    response = anonymous.post("/granska/beslut", data={**data, "csrf": anonymous_csrf})
    assert response.status_code == 400 and "namn" in response.text
    assert not (served_lake / "overrides" / "links.csv").exists()


def test_a_broken_overrides_file_is_refused_with_its_line_and_left_alone(served_lake):
    client, csrf = _client(served_lake)
    path = served_lake / "overrides" / "links.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    broken = (
        "# followup-overrides v1\n"
        "org,action,period,source_row,activity_id,other_activity_id,note\n"
        "region-vastmanland,godkänn,2022-Q3,4,region-vastmanland:2022-Q2:004,,\n"
    )
    path.write_text(broken, encoding="utf-8")
    page = client.get("/granska").text
    assert "line 3" in page and "godkänn" in page
    form = {**_form(_flagged_link(served_lake), "confirm"), "csrf": csrf}
    response = client.post("/granska/beslut", data=form)
    assert response.status_code == 400 and "line 3" in response.text
    assert path.read_text(encoding="utf-8") == broken


def test_two_tabs_deciding_at_once_lose_neither_decision(served_lake):
    client, csrf = _client(served_lake)
    flagged = queue_items(client.get("/granska").text)[:2]
    assert len(flagged) == 2
    responses = []

    def decide(org, period, row):
        tab = TestClient(client.app, cookies=dict(client.cookies))
        responses.append(
            tab.post(
                "/granska/beslut",
                data={
                    "csrf": csrf,
                    "org": org,
                    "period": period,
                    "source_row": str(row),
                    "activity_id": f"{org}:{period}:{row:03d}",
                    "action": "new",
                },
            )
        )

    threads = [threading.Thread(target=decide, args=item) for item in flagged]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [200, 200]
    recorded = load_overrides(served_lake / "overrides" / "links.csv")
    assert sorted(recorded.select("period", "source_row").rows()) == sorted(
        (p, r) for _, p, r in flagged
    )
    links = _links(served_lake)
    for org, period, row in flagged:
        hit = links.filter((pl.col("period") == period) & (pl.col("source_row") == row))
        assert hit["activity_id"].to_list() == [f"{org}:{period}:{row:03d}"]
        assert hit["method"].to_list() == ["override"]


def test_an_upload_is_inspected_then_ingested_with_its_quarantine_shown(served_lake, upload_csv):
    client, csrf = _client(served_lake)
    with upload_csv.open("rb") as handle:
        response = client.post(
            "/ladda-upp", data={"csrf": csrf}, files={"file": (upload_csv.name, handle, "text/csv")}
        )
    assert response.status_code == 200
    assert re.search(r"Format csv, 3 aktivitetsrader", response.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)" not in response.text
    assert "lila" in response.text  # the row that would be quarantined, with its reason
    assert 'id="ingest-org" value="kommun-sjodal"' in response.text
    assert 'id="ingest-period" value="2024-T1"' in response.text
    assert not (served_lake / "raw" / "org=kommun-sjodal").exists()  # nothing stored yet
    ingest_url = re.search(r'action="(/ladda-upp/[^"]+/las-in)"', response.text).group(1)
    response = client.post(
        ingest_url,
        data={"csrf": csrf, "org": "kommun-sjodal", "period": "2024-T1", "report_date": ""},
    )
    assert response.status_code == 200
    assert "inläst" in response.text
    snapshot = pl.read_parquet(
        served_lake / "snapshots" / "org=kommun-sjodal" / "period=2024-T1" / "data.parquet"
    )
    assert snapshot.height == 2
    quarantine = re.search(r'<table id="quarantine">(.*?)</table>', response.text, re.S).group(1)
    assert "lila" in quarantine
    assert "&lt;script&gt;" in response.text and "<script>alert" not in response.text
    assert not list((served_lake / ".uploads").iterdir())
    overview = client.get("/oversikt").text
    assert re.search(
        r"kommun-sjodal</td><td><a [^>]+>2024-T1</a></td><td>" + re.escape(upload_csv.name),
        overview,
    )


def test_an_upload_over_the_limit_is_refused_and_not_kept(served_lake, tmp_path):
    client, csrf = _client(served_lake, max_upload_bytes=1024)
    big = tmp_path / "kommun-sjodal_2024-T1.csv"
    big.write_bytes(b"Aktivitet;Status\n" + b"x;Gul\n" * 2000)
    with big.open("rb") as handle:
        response = client.post(
            "/ladda-upp", data={"csrf": csrf}, files={"file": (big.name, handle, "text/csv")}
        )
    assert response.status_code == 413
    # without a Content-Length (chunked), the body is refused while it is read
    boundary = b"----followup"
    body = (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
        + csrf.encode() + b"\r\n--" + boundary
        + b'\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        + b"x;Gul\n" * 20000 + b"\r\n--" + boundary + b"--\r\n"
    )  # fmt: skip

    def chunks():
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    response = client.post(
        "/ladda-upp",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=" + boundary.decode()},
    )
    assert response.status_code == 413
    assert "för stor begäran" in response.text  # stopped while reading, not after spooling
    uploads = served_lake / ".uploads"
    assert not uploads.exists() or not list(uploads.iterdir())
    # a path in the file name never leaves the upload folder
    small = b"Aktivitet;Status\nx;Gul\n"
    response = client.post(
        "/ladda-upp", data={"csrf": csrf}, files={"file": ("../../evil.csv", small, "text/csv")}
    )
    assert response.status_code == 200
    assert [p.name for p in (served_lake / ".uploads").rglob("*.csv")] == ["evil.csv"]
    assert not (served_lake.parent / "evil.csv").exists()


@pytest.mark.parametrize(
    ("host", "warns"), [("127.0.0.1", False), ("localhost", False), ("0.0.0.0", True)]
)
def test_binding_elsewhere_than_this_machine_warns(host, warns):
    assert (bind_warning(host) is not None) == warns


def test_browse_an_activity_timeline_and_the_latest_report(served_lake):
    client, _ = _client(served_lake)
    overview = client.get("/oversikt").text
    report = re.search(r'href="(/rapport/[^"]+uppfoljning\.html)"', overview).group(1)
    response = client.get(report)
    assert response.status_code == 200 and "<html" in response.text.lower()
    assert client.get("/rapport/region-vastmanland/2023-Q1/..%2F..%2Fx").status_code == 404
    history = read_history(Lake(served_lake))
    longest = (
        history.group_by("activity_id").len().sort(["len", "activity_id"], descending=[True, False])
    ).row(0, named=True)
    page = client.get(f"/aktivitet/{longest['activity_id']}").text
    timeline = re.search(r'<table id="timeline">(.*?)</table>', page, re.S).group(1)
    assert timeline.count("<tr>") - 1 == longest["len"]


def test_a_merge_joins_two_ids_and_an_impossible_merge_is_refused_before_writing(served_lake):
    client, csrf = _client(served_lake)
    history = read_history(Lake(served_lake))
    periods = history.group_by("activity_id").agg(pl.col("period").unique())
    # two ids seen together in one period can never be one activity: refused, nothing written
    together = history.filter(pl.col("period") == history["period"][0])["activity_id"][:2]
    row = history.filter(pl.col("activity_id") == together[1]).row(0, named=True)
    data = {
        "csrf": csrf,
        "org": row["org"],
        "period": row["period"],
        "source_row": str(row["source_row"]),
        "activity_id": together[0],
        "other_activity_id": together[1],
        "action": "merge",
    }
    response = client.post("/granska/beslut", data=data)
    assert response.status_code == 409 and "finns båda i" in response.text
    assert not (served_lake / "overrides" / "links.csv").exists()
    # a one-period activity and another that never shares a period with it
    single = periods.filter(pl.col("period").list.len() == 1).sort("activity_id")
    a = single.row(0, named=True)
    b = next(
        r
        for r in periods.sort("activity_id").iter_rows(named=True)
        if r["activity_id"] != a["activity_id"] and a["period"][0] not in r["period"]
    )
    later = history.filter(pl.col("activity_id") == b["activity_id"]).row(0, named=True)
    response = client.post(
        "/granska/beslut",
        data={
            **data,
            "period": later["period"],
            "source_row": str(later["source_row"]),
            "activity_id": a["activity_id"],
            "other_activity_id": b["activity_id"],
        },
    )
    assert response.status_code == 200, response.text
    merged = read_history(Lake(served_lake))
    survivors = set(
        merged.filter(pl.col("activity_id").is_in([a["activity_id"], b["activity_id"]]))[
            "activity_id"
        ]
    )
    assert len(survivors) == 1
    assert merged.filter(pl.col("activity_id").is_in(list(survivors))).height == len(
        a["period"]
    ) + len(b["period"])
