"""A small local HTTP server for fixture pages, replays and the demo hall.

It serves one or more folders on 127.0.0.1 and maps ``/web/<package>/…`` to the front-end
libraries installed by ``npm ci`` under ``fixtures/web/node_modules`` (an installed wheel
carries the demo hall's share of them in ``interceptor/demo/web``), so pages load the
real UI libraries without anything third-party being committed. Extra routes (the demo
hall's API) plug in as a handler callable. Instead of folders it can serve a fixed set of
files (one saved page and the assets it references). Nothing listens beyond loopback.

Any web page the person has open can send requests to 127.0.0.1, and a name the attacker
controls can be made to resolve to it (DNS rebinding), so the server answers only requests
addressed to a loopback name, reads at most ``MAX_LINE`` bytes a line and ``MAX_REQUEST_BODY``
bytes of body, and drops a connection that is idle or slow for a few seconds.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import socket
import threading
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent

MAX_LINE = 8192  # request line or one header line, in bytes
MAX_HEAD = 32768  # request line and headers together
MAX_HEADERS = 64
MAX_REQUEST_BODY = 2_000_000
IDLE_TIMEOUT_S = 5.0  # longest wait for the next bytes of a request
REQUEST_DEADLINE_S = 10.0  # longest time to receive a whole request (head and body)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # any C0 control but tab, and DEL
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def text(cls, status: int, message: str) -> Response:
        return cls(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")


# (method, path, query string, body) -> Response, or None to fall through to static files.
RouteHandler = Callable[[str, str, str, bytes], Response | None]


# The demo hall's front-end files as an installed wheel carries them (copied at build time by
# hatch_build.py, with MANIFEST.json); a checkout has them only under fixtures/web/node_modules.
PACKAGED_WEB_DIR = Path(__file__).resolve().parent / "demo" / "web"
CHECKOUT_WEB_DIR = REPO_ROOT / "fixtures" / "web" / "node_modules"


def web_modules_dir() -> Path:
    """Where ``/web/`` is served from: INTERCEPTOR_WEB_MODULES when set, else the copy packaged
    in the wheel when present, else the checkout's ``npm ci`` folder."""
    override = os.environ.get("INTERCEPTOR_WEB_MODULES")
    if override:
        return Path(override)
    if (PACKAGED_WEB_DIR / "MANIFEST.json").is_file():
        return PACKAGED_WEB_DIR
    return CHECKOUT_WEB_DIR


mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("application/javascript", ".mjs")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("font/woff", ".woff")
mimetypes.add_type("font/ttf", ".ttf")


class _Malformed(Exception):
    """A request that cannot be served: answered with ``status`` and a Chinese sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    """One request per connection, read under strict limits, then answered by the LocalServer."""

    local: LocalServer  # set on the subclass each server makes
    timeout = IDLE_TIMEOUT_S  # applied to the socket by StreamRequestHandler.setup
    server_version = "interceptor"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test and demo output quiet

    def handle(self) -> None:
        # HTTP/1.0 answers: one request per connection, so no idle keep-alive to police.
        self.close_connection = True
        watchdog = threading.Timer(REQUEST_DEADLINE_S, self._cut_off)
        watchdog.daemon = True
        watchdog.start()
        try:
            method, target, body = self._read_request()
        except _Malformed as exc:
            watchdog.cancel()
            with suppress(OSError):
                self._write(Response.text(exc.status, exc.message), head_only=False)
            return
        except (OSError, ValueError):
            return  # timed out, cut off, or the client went away mid-request
        finally:
            watchdog.cancel()
        parts = urlsplit(target)
        path = unquote(parts.path)
        if "\x00" in path:
            response = Response.text(400, "请求的路径含有空字符，不予处理。")
        else:
            try:
                response = self.local.respond(method, path, parts.query, body)
            except Exception:
                response = Response.text(500, "本地服务器处理请求时出错。")
        with suppress(OSError):
            self._write(response, head_only=method == "HEAD")

    def _cut_off(self) -> None:
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_line(self, used: int) -> bytes:
        line = self.rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE or used + len(line) > MAX_HEAD:
            raise _Malformed(400, "请求行或请求头过长，不予处理。")
        if line and not line.endswith(b"\n"):
            raise OSError("the connection ended inside a line")
        return line

    def _read_request(self) -> tuple[str, str, bytes]:
        line = self._read_line(0)
        if not line:
            raise OSError("no request")
        used = len(line)
        request_line = line.rstrip(b"\r\n")
        if _CONTROL.search(request_line):
            raise _Malformed(400, "请求行含有控制字符，不予处理。")
        words = request_line.split(b" ")
        if len(words) != 3 or not _TOKEN.fullmatch(words[0]) or not words[1] \
                or not re.fullmatch(rb"HTTP/1\.[01]", words[2]):
            raise _Malformed(400, "请求行格式不对，不予处理。")
        method, target = words[0].decode("ascii"), words[1].decode("latin-1")
        self.command, self.request_version = method, words[2].decode("ascii")
        self.requestline = request_line.decode("latin-1")
        headers: dict[str, list[str]] = {}
        count = 0
        while True:
            line = self._read_line(used)
            used += len(line)
            if not line:
                raise OSError("the connection ended inside the headers")
            raw = line.rstrip(b"\r\n")
            if not raw:
                break
            count += 1
            if count > MAX_HEADERS:
                raise _Malformed(400, "请求头太多，不予处理。")
            name, colon, value = raw.partition(b":")
            if not colon or not _TOKEN.fullmatch(name) or _CONTROL.search(value):
                raise _Malformed(400, "请求头格式不对或含有控制字符，不予处理。")
            headers.setdefault(name.decode("ascii").lower(), []).append(value.strip(b" \t").decode("latin-1"))
        self._check_host(headers.get("host", []))
        if method not in ("GET", "HEAD", "POST"):
            raise _Malformed(405, "本地服务器只接受 GET、HEAD 和 POST 请求。")
        if "transfer-encoding" in headers:
            raise _Malformed(400, "本地服务器不接受分块传输的请求。")
        lengths = headers.get("content-length", [])
        if len(lengths) > 1 or (lengths and not lengths[0].isascii()) or (lengths and not lengths[0].isdigit()):
            raise _Malformed(400, "请求头 Content-Length 不是一个非负整数，不予处理。")
        length = int(lengths[0]) if lengths else 0
        if length > MAX_REQUEST_BODY:
            raise _Malformed(413, "请求内容过大，不予处理。")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise OSError("the connection ended inside the body")
        return method, target, body

    def _check_host(self, hosts: list[str]) -> None:
        if len(hosts) != 1:
            raise _Malformed(400, "请求必须带且只带一个 Host 请求头。")
        port = str(self.local.port)
        allowed = {name for loopback in LOOPBACK_NAMES for name in (loopback, f"{loopback}:{port}")}
        if hosts[0].lower() not in allowed:
            # A page of another site reaching us through a rebound DNS name.
            raise _Malformed(421, "本地服务器只接受发给 127.0.0.1、localhost 或 [::1] 的请求。")

    def _write(self, response: Response, *, head_only: bool) -> None:
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = ""
        lines = [
            f"HTTP/1.0 {response.status} {phrase}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
            "Cache-Control: no-store",
            "X-Content-Type-Options: nosniff",
            "Connection: close",
        ]
        lines += [f"{key}: {value}" for key, value in (response.headers or {}).items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
        self.wfile.write(head if head_only else head + response.body)
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that misbehaves is dropped; it must not fill the terminal


class LocalServer:
    """Serves ``roots`` (first match wins), or only ``files``, plus ``/web/`` and routes on 127.0.0.1.

    ``files`` maps URL paths (``/page.html``) to files: when given, nothing else of the
    disk is served, whatever ``roots`` say.
    """

    def __init__(
        self,
        roots: list[Path],
        *,
        routes: RouteHandler | None = None,
        port: int = 0,
        web_modules: Path | None = None,
        files: Mapping[str, Path] | None = None,
    ) -> None:
        self.roots = [Path(r).resolve() for r in roots]
        self.files = dict(files) if files is not None else None
        self.routes = routes
        self.web_modules = (web_modules or web_modules_dir()).resolve()
        handler = type("Handler", (_Handler,), {"local": self})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def port(self) -> int:
        return int(self.httpd.server_port)

    def respond(self, method: str, path: str, query: str, body: bytes) -> Response:
        if self.routes is not None:
            routed = self.routes(method, path, query, body)
            if routed is not None:
                return routed
        if path.startswith("/web/"):
            found = _safe_join(self.web_modules, path[len("/web/") :])
            if found is not None:
                return _file_response(found)
        if self.files is not None:
            listed = self.files.get(path)
            if listed is not None and listed.is_file():
                return _file_response(listed)
            return _not_found()
        for root in self.roots:
            found = _safe_join(root, path.lstrip("/"))
            if found is not None and found.is_dir():
                found = _safe_join(found, "index.html")
            if found is not None:
                return _file_response(found)
        return _not_found()

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


def _not_found() -> Response:
    return Response(404, "未找到该页面。".encode(), "text/plain; charset=utf-8")


def _safe_join(root: Path, relative: str) -> Path | None:
    """Resolve ``relative`` under ``root``; None when missing or escaping the root."""
    try:
        candidate = (root / relative).resolve()
    except (OSError, ValueError):
        return None
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
