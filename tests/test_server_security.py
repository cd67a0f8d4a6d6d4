"""The local server answers only well-formed requests addressed to a loopback name.

Raw sockets on 127.0.0.1 only; every read is bounded by a socket timeout.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from interceptor import server as server_module
from interceptor.server import LocalServer, Response

READ_TIMEOUT_S = 15.0


@pytest.fixture()
def local(tmp_path: Path) -> Iterator[LocalServer]:
    (tmp_path / "index.html").write_text("<!DOCTYPE html><p>首页</p>", encoding="utf-8")
    posted: list[bytes] = []

    def routes(method: str, path: str, query: str, body: bytes) -> Response | None:
        if path == "/api/echo" and method == "POST":
            posted.append(body)
            return Response.json({"length": len(body)})
        return None

    with LocalServer([tmp_path], routes=routes) as server:
        yield server


def _exchange(server: LocalServer, raw: bytes, *, half_close: bool = True) -> bytes:
    """Send ``raw``, then read the whole answer (the server closes after one request)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT_S) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        for _ in range(10_000):  # bounded: the answer is small
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:80]
    return int(answer.split(b" ", 2)[1])


def _get(server: LocalServer, host: str, path: str = "/index.html") -> bytes:
    return _exchange(server, f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())


def test_loopback_hosts_are_served(local: LocalServer) -> None:
    for host in (f"127.0.0.1:{local.port}", "127.0.0.1", f"localhost:{local.port}", "LOCALHOST", f"[::1]:{local.port}"):
        answer = _get(local, host)
        assert _status(answer) == 200, host
        assert "首页".encode() in answer


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io", "127.0.0.1:1",
                                  "localhost.", "10.0.0.1"])
def test_other_hosts_are_refused(local: LocalServer, host: str) -> None:
    # DNS rebinding: another site's name resolving to 127.0.0.1 must not reach the files.
    answer = _get(local, host.format(port=local.port))
    assert _status(answer) in (400, 403, 421)
    assert "首页".encode() not in answer


def test_missing_or_repeated_host_is_refused(local: LocalServer) -> None:
    assert _status(_exchange(local, b"GET /index.html HTTP/1.0\r\n\r\n")) == 400
    twice = b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n"
    assert _status(_exchange(local, twice)) == 400


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /index\x00.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: a\x00b\r\n\r\n",
        b"GET /index%00.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
        b"POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
        b"POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + b"b" * 20_000 + b"\r\n\r\n",
        b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Many: 1\r\n" * 200 + b"\r\n",
        b"GET /index.html\r\n\r\n",
        b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n",
    ],
    ids=["nul-request-line", "nul-header", "encoded-nul", "length-abc", "length-negative", "length-twice",
         "long-request-line", "long-header", "many-headers", "http-0.9", "header-without-colon"],
)
def test_malformed_requests_get_400_at_once(local: LocalServer, raw: bytes) -> None:
    started = time.monotonic()
    # No half-close: a server waiting for more bytes (Content-Length: -1) would hang here.
    answer = _exchange(local, raw, half_close=False)
    assert _status(answer) == 400
    assert "不予处理".encode() in answer or "空字符".encode() in answer or b"Host" in answer
    assert time.monotonic() - started < server_module.IDLE_TIMEOUT_S


def test_oversized_body_is_refused_before_it_is_read(local: LocalServer) -> None:
    raw = f"POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {10**9}\r\n\r\n".encode()
    assert _status(_exchange(local, raw, half_close=False)) == 413


def test_a_good_post_still_works(local: LocalServer) -> None:
    raw = b"POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"
    answer = _exchange(local, raw)
    assert _status(answer) == 200 and b'"length": 5' in answer


def _closed_within(server: LocalServer, raw: bytes, limit: float) -> float:
    """Seconds until the server drops a connection that sent ``raw`` and then nothing."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=limit) as sock:
        started = time.monotonic()
        sock.sendall(raw)
        for _ in range(10_000):
            if not sock.recv(65536):
                break
        return time.monotonic() - started


def test_idle_and_half_sent_requests_are_dropped(local: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = server_module.IDLE_TIMEOUT_S + 5
    assert _closed_within(local, b"", limit) < limit
    assert _closed_within(local, b"GET /index.html HTTP/1.1\r\nHost: 127", limit) < limit
    body_missing = b"POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc"
    assert _closed_within(local, body_missing, limit) < limit


def test_a_slow_trickle_is_cut_at_the_request_deadline(local: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "REQUEST_DEADLINE_S", 2.0)
    with socket.create_connection(("127.0.0.1", local.port), timeout=READ_TIMEOUT_S) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /index.html HTTP/1.1\r\n")
        dropped = False
        for _ in range(40):  # one header byte every 0.25 s: each read is well inside the idle timeout
            try:
                sock.sendall(b"X")
            except OSError:
                dropped = True
                break
            sock.settimeout(0.25)
            try:
                if sock.recv(65536) == b"":
                    dropped = True
                    break
            except TimeoutError:
                pass
        assert dropped, "a request trickled byte by byte was never cut off"
        assert time.monotonic() - started < 6


def test_files_mode_serves_only_the_listed_files(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<p>页面</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("机密", encoding="utf-8")
    with LocalServer([tmp_path], files={"/page.html": tmp_path / "page.html"}) as server:
        assert _status(_get(server, "127.0.0.1", "/page.html")) == 200
        assert _status(_get(server, "127.0.0.1", "/secret.txt")) == 404
        assert _status(_get(server, "127.0.0.1", "/")) == 404
