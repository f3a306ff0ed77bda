"""`followup serve`: the analysts' review in the browser (Starlette, server-rendered, htmx).

Pages (Swedish): the review queue (/granska), status corrections (/status), browse periods and
activities (/oversikt, /aktivitet), upload a report (/ladda-upp). Every decision is appended to
the overrides files (``pipelines.derive.overrides``: file lock, parsed before and after, atomic),
with the reviewer's name from a cookie and the time; then the history is derived again through
Dagster (``pipelines.orchestration.rederive``) and the page shows the row's new state. The
controllers' report of the org's latest period is rebuilt in the background (its progress is
shown on every page).

Safety: every form carries a CSRF token that must equal the session's cookie (double submit);
Jinja2 escapes all report text; uploads are size-limited and read like any input. Dagster is
imported only when a run starts, so importing this module stays light.
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from pipelines.core.errors import FollowupError
from pipelines.core.periods import is_period, period_sort_key
from pipelines.derive.overrides import (
    STATUSES,
    append_link_decision,
    append_status_decision,
    load_status_overrides,
)
from pipelines.lake.store import Lake, org_slug
from pipelines.link.linker import load_overrides
from pipelines.serve import queue
from pipelines.serve.uploads import (
    MAX_UPLOAD_BYTES,
    UploadTooLarge,
    find_upload,
    inspect_file,
    remove_upload,
    store_upload,
)

HERE = Path(__file__).parent
CSRF_COOKIE = "followup_csrf"
NAME_COOKIE = "followup_reviewer"
REPORT_NAMES = ("uppfoljning.html", "uppfoljning.xlsx", "uppfoljning.pdf")
STATUS_LABELS = {"green": "grönt", "yellow": "gult", "red": "rött", "unknown": "okänt"}
SOURCE_LABELS = {
    "reported": "rapporterad",
    "inferred": "tolkad ur kommentaren",
    "absent": "saknas",
    "override": "ändrad av analytiker",
}


@dataclass
class Settings:
    lake: Lake
    links_file: Path
    status_file: Path
    rebuild_reports: bool = True
    max_upload_bytes: int = MAX_UPLOAD_BYTES


@dataclass
class ReportJobs:
    """Background rebuilds of the controllers' report, one at a time, newest request wins."""

    state: dict[str, str] = field(default_factory=dict)  # org -> queued / running / done / failed
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: set[str] = field(default_factory=set)
    worker: threading.Thread | None = None

    def request(self, settings: Settings, org: str) -> None:
        with self.lock:
            self.pending.add(org)
            self.state[org] = "köad"
            if self.worker is None:
                self.worker = threading.Thread(target=self._run, args=(settings,), daemon=True)
                self.worker.start()

    def _run(self, settings: Settings) -> None:
        from pipelines.orchestration.rederive import rederive_report

        while True:
            with self.lock:
                if not self.pending:
                    self.worker = None  # under the lock: a new request starts a new worker
                    return
                org = self.pending.pop()
                self.state[org] = "körs"
            try:
                outcome = rederive_report(settings.lake, org)
                done = "klar" if outcome.success else f"misslyckades: {outcome.error}"
            except Exception as error:  # shown on the page; the next decision tries again
                done = f"misslyckades: {error}"
            with self.lock:
                if org not in self.pending:
                    self.state[org] = done


def _rederive(settings: Settings, org: str) -> str | None:
    """Derive the history again now; returns an error message or None."""
    from pipelines.orchestration.rederive import rederive

    outcome = rederive(settings.lake, org, with_report=False)
    return None if outcome.success else f"körningen {outcome.run_id} misslyckades: {outcome.error}"


# --------------------------------------------------------------------------- helpers


class BodyLimit:
    """ASGI middleware: a request body larger than ``limit`` bytes is refused with 413 while it
    is read, whether or not the client said its length (chunked uploads too)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, f"för stor begäran (över {self.limit // 2**20} MB)")
            return message

        await self.app(scope, limited, send)


def _csrf(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


async def _form(request: Request):
    """The posted form, after checking its CSRF token against the session cookie."""
    try:
        form = await request.form(max_files=1, max_fields=50)
    except HTTPException:
        raise
    except Exception as error:  # multipart errors: too many fields, malformed body
        raise HTTPException(400, f"formuläret kunde inte läsas: {error}") from error
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    sent = str(form.get("csrf") or "")
    if not cookie or not secrets.compare_digest(cookie, sent):
        raise HTTPException(403, "ogiltig CSRF-token: ladda om sidan och försök igen")
    return form


def _reviewer(request: Request) -> str | None:
    name = unquote(request.cookies.get(NAME_COOKIE) or "").strip()
    return name or None


def _need_reviewer(request: Request) -> str:
    name = _reviewer(request)
    if not name:
        raise HTTPException(400, "skriv ditt namn överst på sidan först (det sparas med beslutet)")
    return name


def _int(value, what: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise HTTPException(400, f"{what} måste vara ett heltal") from None


def _orgs(settings: Settings) -> list[str]:
    lake = settings.lake
    return sorted({o for o, _ in lake.periods("snapshots")} | {o for o, _ in lake.periods()})


def _periods(settings: Settings, org: str) -> list[str]:
    found = {p for o, p in settings.lake.periods("snapshots") if o == org}
    return sorted(found, key=period_sort_key)


def bind_warning(host: str) -> str | None:
    """The warning for an address other machines can reach (there is no login)."""
    if host in ("127.0.0.1", "localhost", "::1"):
        return None
    return (
        f"binding {host}: anyone who can reach this address can read the reports and record "
        "decisions; there is no login"
    )


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _row_url(org: str, period: str, source_row: int, message: str = "") -> str:
    query = urlencode({"meddelande": message}) if message else ""
    return f"/rad/{quote(org)}/{quote(period)}/{source_row}" + (f"?{query}" if query else "")


def build_app(
    lake_root: str | Path,
    *,
    links_file: str | Path | None = None,
    rebuild_reports: bool = True,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> Starlette:
    lake = Lake(lake_root)
    configured = links_file or os.environ.get("FOLLOWUP_OVERRIDES")  # as the history asset reads
    links_path = Path(configured) if configured else lake.root / "overrides" / "links.csv"
    settings = Settings(
        lake=lake,
        links_file=links_path,
        status_file=links_path.parent / "status.csv",
        rebuild_reports=rebuild_reports,
        max_upload_bytes=max_upload_bytes,
    )
    jobs = ReportJobs()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(
        status_label=lambda s: STATUS_LABELS.get(s, s or ""),
        source_label=lambda s: SOURCE_LABELS.get(s, s or ""),
        STATUSES=STATUSES,
        quote=quote,
    )

    def render(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
        context = {
            "csrf": _csrf(request),
            "reviewer": _reviewer(request),
            "jobs": dict(jobs.state),
            "lake": str(settings.lake.root),
            "path": request.url.path,
            **context,
        }
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
        if not request.cookies.get(CSRF_COOKIE):
            response.set_cookie(
                CSRF_COOKIE, context["csrf"], httponly=True, samesite="strict", path="/"
            )
        return response

    def after_decision(org: str) -> str | None:
        error = _rederive(settings, org)
        if error is None and settings.rebuild_reports:
            jobs.request(settings, org)
        return error

    def _link_overrides():
        path = settings.links_file
        return load_overrides(path) if path.exists() else None

    # ---- pages -------------------------------------------------------------------------

    async def home(request: Request) -> Response:
        return _redirect("/granska")

    async def review_page(request: Request) -> Response:
        org = request.query_params.get("org") or None
        problems = []
        try:
            overrides = _link_overrides()
        except FollowupError as error:
            overrides, problems = None, [str(error)]
        items = queue.review_queue(settings.lake.root, org, overrides)
        return render(
            request,
            "review.html",
            {
                "items": items,
                "orgs": _orgs(settings),
                "org": org,
                "problems": problems,
                "message": request.query_params.get("meddelande"),
            },
        )

    async def decide_link(request: Request) -> Response:
        form = await _form(request)
        who = _need_reviewer(request)
        action = str(form.get("action") or "")
        org = org_slug(str(form.get("org") or ""))
        period = str(form.get("period") or "")
        source_row = _int(form.get("source_row"), "source_row")
        activity_id = str(form.get("activity_id") or "").strip()
        other = str(form.get("other_activity_id") or "").strip() or None
        note = str(form.get("note") or "").strip() or None
        if not is_period(period):
            raise HTTPException(400, f"okänd period {period!r}")
        for aid in (activity_id, other):
            if aid and not aid.startswith(f"{org}:"):
                raise HTTPException(400, f"aktivitets-id {aid!r} hör inte till {org}")
        if action == "new":
            action, activity_id = "confirm", f"{org}:{period}:{source_row:03d}"
            note = note or "ny aktivitet"
        if action not in ("confirm", "reject", "merge") or not activity_id:
            raise HTTPException(400, "okänt beslut")
        if action == "merge":
            if not other or other == activity_id:
                raise HTTPException(400, "slå ihop kräver två olika aktivitets-id")
            row = {"other_activity_id": other}
        else:
            row = {"period": period, "source_row": source_row}
        problem = queue.link_decision_problem(
            settings.lake.root,
            _link_overrides(),
            org,
            action,
            period,
            source_row,
            activity_id,
            other,
        )
        if problem:
            raise HTTPException(409, problem)
        await run_in_threadpool(
            append_link_decision,
            settings.links_file,
            org,
            action,
            activity_id,
            note=note,
            decided_by=who,
            **row,
        )
        error = await run_in_threadpool(after_decision, org)
        words = {"confirm": "bekräftad", "reject": "avvisad", "merge": "sammanslagen"}
        message = error or f"Länken {words[action]} och historiken omräknad."
        return _redirect(_row_url(org, period, source_row, message))

    async def row_page(request: Request) -> Response:
        org, period = request.path_params["org"], request.path_params["period"]
        source_row = request.path_params["source_row"]
        state = queue.row_state(settings.lake.root, org, period, source_row)
        if state is None:
            raise HTTPException(404, f"ingen rad {source_row} i {org} {period}")
        return render(
            request,
            "row.html",
            {
                "row": state,
                "org": org,
                "period": period,
                "message": request.query_params.get("meddelande"),
            },
        )

    async def status_page(request: Request) -> Response:
        orgs = _orgs(settings)
        org = request.query_params.get("org") or (orgs[0] if orgs else None)
        periods = _periods(settings, org) if org else []
        counts = queue.open_status_counts(settings.lake.root, org) if org else {}
        # by default the latest period with something to look at
        with_rows = [p for p in periods if counts.get(p)]
        default = with_rows[-1] if with_rows else (periods[-1] if periods else None)
        period = request.query_params.get("period") or default
        rows = (
            queue.status_rows(settings.lake.root, org, period)
            if org and period in periods
            else None
        )
        problems = []
        if settings.status_file.exists():
            try:
                load_status_overrides(settings.status_file)
            except FollowupError as error:
                problems.append(str(error))
        return render(
            request,
            "status.html",
            {
                "orgs": orgs,
                "org": org,
                "periods": periods,
                "counts": counts,
                "period": period,
                "rows": rows.to_dicts() if rows is not None else [],
                "problems": problems,
            },
        )

    async def decide_status(request: Request) -> Response:
        form = await _form(request)
        who = _need_reviewer(request)
        org = org_slug(str(form.get("org") or ""))
        period = str(form.get("period") or "")
        source_row = _int(form.get("source_row"), "source_row")
        status = str(form.get("status") or "")
        reason = str(form.get("reason") or "").strip()
        if not is_period(period):
            raise HTTPException(400, f"okänd period {period!r}")
        if status not in STATUSES:
            raise HTTPException(400, f"okänd status {status!r}")
        if not reason:
            raise HTTPException(400, "ange ett skäl till ändringen")
        if queue.row_state(settings.lake.root, org, period, source_row) is None:
            raise HTTPException(404, f"ingen rad {source_row} i {org} {period}")
        await run_in_threadpool(
            append_status_decision,
            settings.status_file,
            org,
            period,
            source_row,
            status,
            reason,
            decided_by=who,
        )
        error = await run_in_threadpool(after_decision, org)
        message = error or f"Status ändrad till {STATUS_LABELS[status]} och historiken omräknad."
        return _redirect(_row_url(org, period, source_row, message))

    async def set_name(request: Request) -> Response:
        form = await _form(request)
        name = " ".join(str(form.get("name") or "").split())[:80]
        back = str(form.get("back") or "/granska")
        if not back.startswith("/") or back.startswith("//"):
            back = "/granska"
        response = _redirect(back)
        if name:
            response.set_cookie(
                NAME_COOKIE, quote(name), samesite="strict", path="/", max_age=400 * 86400
            )
        else:
            response.delete_cookie(NAME_COOKIE, path="/")
        return response

    async def overview_page(request: Request) -> Response:
        return render(request, "overview.html", {"periods": queue.period_overview(settings.lake)})

    async def period_page(request: Request) -> Response:
        org, period = request.path_params["org"], request.path_params["period"]
        if (org, period) not in set(settings.lake.periods()) | set(
            settings.lake.periods("snapshots")
        ):
            raise HTTPException(404, f"ingen period {period} för {org}")
        rows = queue.snapshots(settings.lake.root, org)
        if not rows.is_empty():
            rows = rows.filter(rows["period"] == period).sort("source_row")
        quarantined = queue.quarantine(settings.lake, org, period)
        return render(
            request,
            "period.html",
            {
                "org": org,
                "period": period,
                "rows": rows.to_dicts(),
                "quarantine": quarantined.to_dicts(),
                "version": settings.lake.snapshot_version(org, period) or {},
                "message": request.query_params.get("meddelande"),
            },
        )

    async def activity_page(request: Request) -> Response:
        activity_id = request.path_params["activity_id"]
        rows = queue.timeline(settings.lake.root, activity_id)
        if rows.is_empty():
            raise HTTPException(404, f"ingen aktivitet {activity_id}")
        return render(
            request, "activity.html", {"activity_id": activity_id, "rows": rows.to_dicts()}
        )

    async def report_file(request: Request) -> Response:
        org, period, name = (request.path_params[k] for k in ("org", "period", "name"))
        if name not in REPORT_NAMES or not is_period(period):
            raise HTTPException(404, "ingen sådan rapport")
        path = settings.lake.partition_dir("reports", org_slug(org), period) / name
        if not path.is_file():
            raise HTTPException(404, "ingen sådan rapport")
        return FileResponse(path)

    async def upload_page(request: Request) -> Response:
        return render(request, "upload.html", {"limit_mb": settings.max_upload_bytes // 2**20})

    async def upload(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes + 65536:
            raise HTTPException(413, f"filen är större än {settings.max_upload_bytes // 2**20} MB")
        form = await _form(request)
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise HTTPException(400, "välj en fil")

        def chunks():
            while True:
                block = file.file.read(1 << 16)
                if not block:
                    return
                yield block

        token, path = store_upload(
            settings.lake, file.filename, chunks(), settings.max_upload_bytes
        )
        return _redirect(f"/ladda-upp/{token}")

    async def upload_inspect(request: Request) -> Response:
        from pipelines.ingest.period import infer_meta

        token = request.path_params["token"]
        path = find_upload(settings.lake, token)
        report = await run_in_threadpool(inspect_file, path)
        try:
            meta = infer_meta(path)
        except FollowupError:
            meta = None
        return render(
            request,
            "inspect.html",
            {
                "token": token,
                "report": report,
                "org": (meta.org if meta else None) or "",
                "period": (meta.period if meta else None) or "",
                "report_date": str(meta.report_date) if meta and meta.report_date else "",
                "orgs": _orgs(settings),
            },
        )

    async def upload_ingest(request: Request) -> Response:
        from pipelines.ingest.period import register_report
        from pipelines.orchestration.runner import dagster_instance, run_period

        form = await _form(request)
        token = request.path_params["token"]
        path = find_upload(settings.lake, token)
        org = str(form.get("org") or "").strip() or None
        period = str(form.get("period") or "").strip() or None
        report_date = str(form.get("report_date") or "").strip() or None
        registration, _ = await run_in_threadpool(
            register_report, settings.lake, path, org, period, report_date
        )

        def ingest():
            instance = dagster_instance(settings.lake)
            return run_period(settings.lake, registration.org, registration.period, instance)

        outcome = await run_in_threadpool(ingest)
        remove_upload(settings.lake, token)
        if outcome.success and settings.rebuild_reports:
            jobs.request(settings, registration.org)
        reason = "; ".join(outcome.failed_checks) or outcome.error or ""
        message = (
            f"{path.name} inläst: {outcome.metadata.get('outcome', 'klar')}"
            if outcome.success
            else f"{path.name} stoppades: {reason}"
        )
        query = urlencode({"meddelande": message})
        return _redirect(f"/period/{quote(registration.org)}/{quote(registration.period)}?{query}")

    async def jobs_fragment(request: Request) -> Response:
        return render(request, "_jobs.html", {})

    async def error_page(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            code, detail = exc.status_code, exc.detail
        elif isinstance(exc, UploadTooLarge):
            code, detail = 413, str(exc)
        else:
            code, detail = 400, str(exc)
        return render(request, "error.html", {"detail": detail}, status_code=code)

    routes = [
        Route("/", home),
        Route("/granska", review_page),
        Route("/granska/beslut", decide_link, methods=["POST"]),
        Route("/rad/{org}/{period}/{source_row:int}", row_page),
        Route("/status", status_page),
        Route("/status/beslut", decide_status, methods=["POST"]),
        Route("/namn", set_name, methods=["POST"]),
        Route("/oversikt", overview_page),
        Route("/period/{org}/{period}", period_page),
        Route("/aktivitet/{activity_id:path}", activity_page),
        Route("/rapport/{org}/{period}/{name}", report_file),
        Route("/ladda-upp", upload_page),
        Route("/ladda-upp", upload, methods=["POST"]),
        Route("/ladda-upp/{token}", upload_inspect),
        Route("/ladda-upp/{token}/las-in", upload_ingest, methods=["POST"]),
        Route("/korningar", jobs_fragment),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: error_page, FollowupError: error_page},
        middleware=[Middleware(BodyLimit, limit=settings.max_upload_bytes + 65536)],
    )
    app.state.settings = settings
    app.state.jobs = jobs
    return app
