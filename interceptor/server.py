"""A small local HTTP server for fixture pages, replays and the demo hall.

It serves one or more folders on 127.0.0.1 and maps ``/web/<package>/…`` to the front-end
libraries installed by ``npm ci`` under ``fixtures/web/node_modules``, so pages load the
real UI libraries without anything third-party being committed. Extra routes (the demo
hall's API) plug in as a handler callable. Nothing listens beyond loopback.
"""

from __future__ import annotations

import json
import mimetypes
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))


# (method, path, query string, body) -> Response, or None to fall through to static files.
RouteHandler = Callable[[str, str, str, bytes], Response | None]


def web_modules_dir() -> Path:
    """Where ``npm ci`` put the front-end libraries (override: INTERCEPTOR_WEB_MODULES)."""
    override = os.environ.get("INTERCEPTOR_WEB_MODULES")
    if override:
        return Path(override)
    return REPO_ROOT / "fixtures" / "web" / "node_modules"


mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("application/javascript", ".mjs")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("font/woff", ".woff")
mimetypes.add_type("font/ttf", ".ttf")


class LocalServer:
    """Serves ``roots`` (first match wins) plus ``/web/`` and optional routes on 127.0.0.1."""

    def __init__(
        self,
        roots: list[Path],
        *,
        routes: RouteHandler | None = None,
        port: int = 0,
        web_modules: Path | None = None,
    ) -> None:
        self.roots = [Path(r).resolve() for r in roots]
        self.routes = routes
        self.web_modules = (web_modules or web_modules_dir()).resolve()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test and demo output quiet

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                response = server.respond(method, unquote(parts.path), parts.query, body)
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                self.send_header("Cache-Control", "no-store")
                for key, value in (response.headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(response.body)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_HEAD(self) -> None:
                self._handle("HEAD")

            def do_POST(self) -> None:
                self._handle("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def respond(self, method: str, path: str, query: str, body: bytes) -> Response:
        if self.routes is not None:
            routed = self.routes(method, path, query, body)
            if routed is not None:
                return routed
        if path.startswith("/web/"):
            found = _safe_join(self.web_modules, path[len("/web/") :])
            if found is not None:
                return _file_response(found)
        for root in self.roots:
            found = _safe_join(root, path.lstrip("/"))
            if found is not None and found.is_dir():
                found = _safe_join(found, "index.html")
            if found is not None:
                return _file_response(found)
        return Response(404, "未找到该页面。".encode(), "text/plain; charset=utf-8")

    def start(self) -> LocalServer:
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, name="interceptor-server", daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _safe_join(root: Path, relative: str) -> Path | None:
    """Resolve ``relative`` under ``root``; None when missing or escaping the root."""
    candidate = (root / relative).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    return candidate if candidate.exists() else None


def _file_response(path: Path) -> Response:
    if path.is_dir():
        return Response(404, b"", "text/plain")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type == "application/javascript":
        content_type += "; charset=utf-8"
    return Response(200, path.read_bytes(), content_type)
