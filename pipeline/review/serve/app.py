"""The local review web app (Starlette): pages, the JSON API of saves, and its guards.

Guards, on every request: without a token, the Host header must name this machine (a
page of another site cannot reach it through DNS rebinding); off 127.0.0.1 a token is
required (given once in the URL, then kept in a same-site cookie); a state-changing
request is a POST of JSON carrying the page's CSRF token and, when the browser sends
one, an Origin that is the page's own.
Every text reaches the page escaped (Jinja2 autoescape for the server's HTML, JSON
inside a non-executed script element, `textContent` in the page's script), and the
Content-Security-Policy allows only this server's own script and style.
"""

from __future__ import annotations

import hmac
import html
import json
import secrets
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.errors import PipelineError
from pipeline.review.serve.workspace import Workspace

HERE = Path(__file__).parent
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_COOKIE = "pipeline_review_token"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def script_json(value) -> str:
    """JSON safe inside <script type="application/json">: no `<`, `>` or `&` can end the
    element or open a comment, whatever the texts hold."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Guard:
    """ASGI middleware: Host check, token, CSRF for POSTs, security headers."""

    def __init__(self, app, settings: dict):
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        refusal = self.refuse(request)
        if refusal is not None:
            return await self.with_headers(refusal)(scope, receive, send)
        token = self.settings.get("token")
        set_cookie = token and request.query_params.get("token") == token

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                for key, value in SECURITY_HEADERS.items():
                    headers.append((key.lower().encode(), value.encode()))
                if set_cookie:
                    cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def with_headers(self, response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    def refuse(self, request: Request) -> Response | None:
        host = request.headers.get("host", "")
        token = self.settings.get("token")
        # Without a token only this machine's names are served (DNS rebinding); with one,
        # any name or address of the machine may reach it, and the token guards it.
        if not token and host not in self.settings["hosts"]:
            return Response("unknown host\n", status_code=421, media_type="text/plain")
        if token:
            given = (
                request.query_params.get("token")
                or request.cookies.get(TOKEN_COOKIE)
                or request.headers.get("authorization", "").removeprefix("Bearer ")
            )
            if not given or not hmac.compare_digest(given, token):
                return Response(
                    "a token is required: open the URL 'pipeline review serve' printed\n",
                    status_code=401,
                    media_type="text/plain",
                )
        if request.method not in ("GET", "HEAD", "POST"):
            return Response("method not allowed\n", status_code=405, media_type="text/plain")
        if request.method == "POST":
            origin = request.headers.get("origin")
            if origin is not None and origin != f"http://{host}":
                return JSONResponse({"error": "cross-site request refused"}, status_code=403)
            if request.headers.get("content-type", "").split(";")[0] != "application/json":
                return JSONResponse({"error": "expected JSON"}, status_code=415)
            csrf = request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(csrf, self.settings["csrf"]):
                return JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403)
        return None


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host headers a browser sends to this server by the name it listens on (and,
    on this machine, by its other local names)."""
    names = {host} | (set(LOCAL_HOSTS) if host in LOCAL_HOSTS else set())
    hosts = set()
    for name in names:
        shown = f"[{name}]" if ":" in name else name
        hosts.add(f"{shown}:{port}")
        if port == 80:
            hosts.add(shown)
    return hosts


def make_app(
    workspace: Workspace, host: str = "127.0.0.1", port: int = 8000, token: str | None = None
) -> Starlette:
    """The app over one output folder. `token` is required off 127.0.0.1."""
    hosts = allowed_hosts(host, port)
    settings = {
        "hosts": hosts,
        "token": token,
        "csrf": secrets.token_urlsafe(32),
    }
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )

    def page(template: str, **values) -> HTMLResponse:
        body = env.get_template(template).render(csrf=settings["csrf"], **values)
        return HTMLResponse(body)

    async def index(request: Request):
        documents = await run_in_threadpool(workspace.summaries)
        report = (workspace.out_dir / "report.json").is_file()
        return page("index.html", documents=documents, report=report, out=str(workspace.out_dir))

    async def document(request: Request):
        name = request.path_params["name"]
        try:
            data = await run_in_threadpool(workspace.document, name)
        except KeyError:
            return not_found(name)
        data["reviewer"] = workspace.reviewer
        return page("document.html", name=name, data=script_json(data), counts=data["counts"])

    async def document_json(request: Request):
        try:
            data = await run_in_threadpool(workspace.document, request.path_params["name"])
            return JSONResponse(data)
        except KeyError:
            return JSONResponse({"error": "no such document"}, status_code=404)

    async def report(request: Request):
        path = workspace.out_dir / "report.md"
        text = path.read_text(encoding="utf-8") if path.is_file() else "no report yet"
        return page("report.html", text=text)

    async def output_file(request: Request):
        try:
            path = workspace.output_file(request.path_params["filename"])
        except KeyError:
            return not_found(request.path_params["filename"])
        return FileResponse(path)

    async def save(request: Request):
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        try:
            result = await run_in_threadpool(
                workspace.save,
                str(body.get("doc", "")),
                str(body.get("id", "")),
                str(body.get("en", "")),
                str(body.get("kind", "edit")),
                str(body.get("base_version", "")),
            )
        except KeyError:
            return JSONResponse({"error": "no such document or segment"}, status_code=404)
        except (ValueError, PipelineError) as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        if not result.saved:
            return JSONResponse(
                {"error": "stale", "segment": result.segment, "conflict": result.conflict},
                status_code=409,
            )
        return JSONResponse({"segment": result.segment, "notices": result.notices})

    async def history(request: Request):
        try:
            history = await run_in_threadpool(workspace.history, request.path_params["id"])
            return JSONResponse({"history": history})
        except (KeyError, PipelineError):
            return JSONResponse({"error": "no such segment"}, status_code=404)

    async def add_term(request: Request):
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        try:
            return JSONResponse(await run_in_threadpool(workspace.add_term, body))
        except PipelineError as err:
            return JSONResponse({"error": str(err)}, status_code=400)

    routes = [
        Route("/", index),
        Route("/doc/{name}", document),
        Route("/api/doc/{name}", document_json),
        Route("/api/history/{id}", history),
        Route("/report", report),
        Route("/files/{filename}", output_file),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/glossary", add_term, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(Guard, settings=settings)])


async def json_body(request: Request):
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return JSONResponse({"error": "not JSON"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "expected a JSON object"}, status_code=400)
    return body


def not_found(name: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!DOCTYPE html><title>Not found</title><p>No such document: {html.escape(name)}</p>",
        status_code=404,
    )
