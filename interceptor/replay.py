"""``interceptor replay``: load pages headless with the companion and report what it intercepts.

A target is an http(s) URL, a local ``.html`` file, a folder with an ``index.html``, a
folder written by ``interceptor record`` or a ``.har`` file.

A local page is served by :class:`~interceptor.server.LocalServer` on 127.0.0.1 with the
``/web/<pkg>/`` libraries, but never the files beside it: a page saved from the web (a
hostile one too) gets itself and the assets its markup references (same-folder scripts,
stylesheets, images, frames), not the folder around it, and it runs offline unless
``online`` is asked for: a request to anything but our server is aborted. A folder given
as the target is served whole, since the person named it. Recorded folders and HAR files
always replay offline: responses come from the HAR, the front-end libraries of ``/web/``
from the local npm install, and every other request is aborted. Every file a recording
names must lie inside its folder. DOM snapshots are served inert: no scripts, no ``on*``
handlers, no ``javascript:`` URLs. Targets share one browser and are loaded a few at a
time so their watch windows overlap.

Over 400 lines because planning a target (URL, page, folder, recording, HAR), serving it
offline and timing its watch window belong together; the recording format is in
:mod:`interceptor.recording`.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from .browser import own_playwright_thread
from .errors import InterceptorError, TargetError
from .files import private_dir, safe_name, write_private_bytes, write_private_text
from .privacy import mask_data
from .recording import RECORDING_HAR, RECORDING_META, recording_path, sanitize_html
from .server import LocalServer, web_modules_dir
from .wording import source_words

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route, WebSocketRoute

    from .classify import RuleSet
    from .companion import Companion

EVENT_KEYS = ("source", "text", "rule", "captures", "overlay", "frame_url")
DEFAULT_WAIT_S = 5.0
DEFAULT_CONCURRENCY = 4
LOAD_TIMEOUT_MS = 30_000
MAX_SETTLE_S = 15.0  # longest the watch window waits for late frames after the load event
_SETTLING = frozenset({"document", "script"})  # resources that start a frame's own timers
VIEWPORT = {"width": 1280, "height": 800}
MAX_SNAPSHOT_BYTES = 20_000_000  # a snapshot (or a local page to scan) larger than this is not read
MAX_PAGE_ASSETS = 500
# What a local page's markup may pull in from its folder: code, styles, pictures, fonts, frames.
ASSET_SUFFIXES = frozenset({".js", ".mjs", ".css", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg",
                            ".ico", ".bmp", ".woff", ".woff2", ".ttf", ".otf", ".html", ".htm"})
_ASSET_ATTRIBUTES = {"script": "src", "link": "href", "img": "src", "iframe": "src", "frame": "src"}


@dataclass(frozen=True)
class ReplayTarget:
    """One target with optional per-target overrides of ``wait`` and ``dialogs``."""

    spec: str
    wait: float | None = None
    dialogs: str | None = None


@dataclass
class PageResult:
    """What replaying one target gave: its events, or why it could not be loaded."""

    target: str
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    screenshots: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"target": self.target, "events": self.events}
        if self.error is not None:
            data["error"] = self.error
        if self.screenshots:
            data["screenshots"] = self.screenshots
        return data


@dataclass
class _Plan:
    """How to load a target: the URLs to open and the offline routing they need."""

    urls: list[str]
    har: Path | None = None
    # One per URL (same index), or empty: the sanitised DOM snapshot each page is served instead of its URL.
    snapshots: list[str] = field(default_factory=list)
    # A local page: the origin of the LocalServer serving it, the only one reached offline.
    local_origin: str | None = None


@dataclass
class _Session:
    number: int  # 1-based position among the targets, for screenshot names
    target: ReplayTarget
    result: PageResult
    context: BrowserContext
    companion: Companion
    pages: list[Page]
    window: float  # seconds to watch after every page and its frames have loaded
    started: float = field(default_factory=time.monotonic)
    loaded_at: dict[int, float] = field(default_factory=dict)  # page index -> time of its load event
    # Last time a frame navigated or a document or script arrived. A page's load event does
    # not wait for frames created later (layui layers, #busiIframe), and on a busy machine
    # their own timers start seconds after it: the window counts from the later of the two.
    activity: float = 0.0

    @property
    def watch_until(self) -> float | None:
        if len(self.loaded_at) < len(self.pages):
            return None
        loaded = max(self.loaded_at.values())
        # Capped, so a page that keeps creating frames or loading scripts still ends.
        return min(max(loaded, self.activity), loaded + MAX_SETTLE_S) + self.window


@own_playwright_thread
def replay_targets(
    targets: Sequence[str | Path | ReplayTarget],
    *,
    wait: float = DEFAULT_WAIT_S,
    dialogs: str = "accept",
    screenshots: Path | None = None,
    rules: RuleSet | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    browser: Browser | None = None,
    online: bool = False,
) -> list[PageResult]:
    """Replay ``targets`` headless, in the given order; one :class:`PageResult` each.

    Up to ``concurrency`` targets are open at once: a new one starts loading as soon as
    another has been watched long enough, so loading and watching overlap. A target that
    cannot be loaded gets ``error`` set; the others still run. Local pages reach nothing
    but their own server unless ``online`` is true.
    """
    from .classify import load_rules

    rules = rules or load_rules()
    items = [t if isinstance(t, ReplayTarget) else ReplayTarget(str(t)) for t in targets]
    results = [PageResult(t.spec) for t in items]
    if screenshots is not None:
        private_dir(screenshots)
    with ExitStack() as stack:
        if browser is None:
            from playwright.sync_api import sync_playwright

            from .browser import launch_options

            playwright = stack.enter_context(sync_playwright())
            browser = playwright.chromium.launch(**launch_options(headless=True))
            stack.callback(browser.close)
        servers = _Servers()
        stack.callback(servers.stop_all)
        pending = deque(range(len(items)))
        active: list[_Session] = []
        while pending or active:
            while pending and len(active) < max(1, concurrency):
                index = pending.popleft()
                try:
                    active.append(_open(browser, index + 1, items[index], results[index], wait=wait,
                                        dialogs=dialogs, rules=rules, servers=servers, online=online))
                except TargetError as exc:
                    results[index].error = str(exc)
            now = time.monotonic()
            for session in list(active):
                until = session.watch_until
                if until is None and now - session.started > LOAD_TIMEOUT_MS / 1000:
                    session.result.error = f"目标 {session.target.spec} 未能在规定时间内加载完成。"
                    _close(session)
                    active.remove(session)
                elif until is not None and now >= until:
                    _finish(session, screenshots)
                    active.remove(session)
            if active:
                _pump(active, 0.1)
    return results


def _finish(session: _Session, screenshots: Path | None) -> None:
    session.result.events = [_event_dict(e) for e in session.companion.events]
    if screenshots is not None:
        for k, page in enumerate(session.pages):
            suffix = f"-{k + 1}" if len(session.pages) > 1 else ""
            name = safe_name(session.target.spec.rstrip("/").rsplit("/", 1)[-1], "page", 60)
            path = screenshots / f"{session.number:02d}-{name}{suffix}.png"
            with suppress(Exception):
                write_private_bytes(path, page.screenshot())
                session.result.screenshots.append(str(path))
    _close(session)


def _close(session: _Session) -> None:
    with suppress(Exception):
        session.companion.close()
    with suppress(Exception):
        session.context.close()


def _pump(sessions: list[_Session], seconds: float) -> None:
    """Let Playwright deliver events for ``seconds``; any live page can drive the loop."""
    page = next((p for s in sessions for p in s.pages if not p.is_closed()), None)
    if page is None:
        time.sleep(seconds)
        return
    with suppress(Exception):
        page.wait_for_timeout(seconds * 1000)


def _open(browser: Browser, number: int, target: ReplayTarget, result: PageResult, *, wait: float,
          dialogs: str, rules: RuleSet, servers: _Servers, online: bool = False) -> _Session:
    """Start loading ``target`` (up to its first response); its load events arrive later."""
    from .companion import attach

    plan = _plan(target.spec, servers)
    offline = plan.har is not None or bool(plan.snapshots) or (plan.local_origin is not None and not online)
    # A service worker's requests would pass by the context's routes.
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN",  # type: ignore[arg-type]
                                  service_workers="block" if offline else "allow")
    try:
        if plan.har is not None or plan.snapshots:
            _route_offline(context, plan)
        elif plan.local_origin is not None and not online:
            _route_local_only(context, plan.local_origin)
        pages = [context.new_page() for _ in plan.urls]
        # Attached once the pages exist and before they navigate: attach() opens the channel
        # of each existing page before it returns, so every document gets the watcher and the
        # shadow-root hook from its first line. A page made after attach() is set up by the
        # context's "page" event, in a greenlet of its own that goto() overtakes on a busy
        # machine: its document then gets the watcher late, after its first banners, and
        # never gets the hook.
        companion = attach(context, rules=rules, dialogs=target.dialogs or dialogs)  # type: ignore[arg-type]
        window = target.wait if target.wait is not None else wait
        session = _Session(number, target, result, context, companion, pages, window)
        for index, (page, url) in enumerate(zip(pages, plan.urls, strict=True)):
            # The watch window starts at the document's first load event, or later when
            # frames keep loading after it.
            page.once("load", _load_marker(session, index))
            page.on("framenavigated", _activity_marker(session))
            page.on("requestfinished", _activity_marker(session, _SETTLING))
            if plan.snapshots:
                _serve_snapshot(page, url, plan.snapshots[index])
            _start(page, url, target.spec)
    except BaseException:
        with suppress(Exception):
            context.close()
        raise
    return session


def _load_marker(session: _Session, index: int) -> Callable[[Page], None]:
    def mark(_: Page) -> None:
        session.loaded_at.setdefault(index, time.monotonic())

    return mark


def _activity_marker(session: _Session, types: frozenset[str] | None = None) -> Callable[[Any], None]:
    def mark(item: Any) -> None:
        with suppress(Exception):
            if types is None or item.resource_type in types:
                session.activity = time.monotonic()

    return mark


def _start(page: Page, url: str, spec: str) -> None:
    # "commit" returns once the document answers, so several targets load side by side.
    try:
        response = page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    except Exception as exc:
        raise TargetError(f"目标 {spec} 无法加载：{_reason(exc)}。") from None
    if response is not None and response.status >= 400:
        raise TargetError(f"目标 {spec} 无法加载：服务器返回 HTTP {response.status}。")


def _reason(exc: BaseException) -> str:
    """Why a page did not load, in Chinese (Playwright's own reason is English)."""
    from .errors import page_failure

    return page_failure(str(exc))


def _plan(spec: str, servers: _Servers) -> _Plan:
    scheme = urlsplit(spec).scheme.lower()
    if scheme in ("http", "https"):
        return _Plan([spec])
    path = Path(spec[len("file://") :] if scheme == "file" else spec).expanduser()
    if not path.exists():
        raise TargetError(f"目标 {spec} 不存在：请给出 http(s) 网址、.html 文件、录制目录或 .har 文件。")
    path = path.resolve()
    if path.is_dir():
        if (path / RECORDING_META).is_file():
            return _recorded_plan(path)
        if (path / "index.html").is_file():
            url, origin = servers.url_for_folder(path)
            return _Plan([url], local_origin=origin)
        hars = sorted(path.glob("*.har"))
        if len(hars) == 1:
            return _har_plan(hars[0])
        raise TargetError(f"文件夹 {spec} 不是录制目录：其中没有 {RECORDING_META}、没有 index.html，"
                          "也不是恰好一个 .har 文件。")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        url, origin = servers.url_for_page(path)
        return _Plan([url], local_origin=origin)
    if suffix == ".har":
        return _har_plan(path)
    raise TargetError(f"目标 {spec} 既不是 http(s) 网址、.html 文件、录制目录，也不是 .har 文件。")


def _har_plan(har: Path) -> _Plan:
    try:
        entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        kind = "读不出来" if isinstance(exc, OSError) else "内容不是有效的 HAR（JSON 格式不对）"
        raise TargetError(f"HAR 文件 {har} {kind}，无法重放。") from None
    first = _first_document(entries)
    if first is None:
        raise TargetError(f"HAR 文件 {har} 中没有可打开的 HTML 页面。")
    return _Plan([first], har=har)


def _first_document(entries: list[dict[str, Any]]) -> str | None:
    for entry in entries:
        mime = str(entry.get("response", {}).get("content", {}).get("mimeType", ""))
        if entry.get("request", {}).get("method") == "GET" and "html" in mime:
            return str(entry["request"]["url"])
    return None


def _recorded_plan(folder: Path) -> _Plan:
    try:
        meta = json.loads((folder / RECORDING_META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        kind = "读不出来" if isinstance(exc, OSError) else "内容不完整或已损坏"
        raise TargetError(f"录制目录 {folder} 中的 {RECORDING_META} {kind}，无法重放。请重新录制。") from None
    if not isinstance(meta, dict):
        raise TargetError(f"录制目录 {folder} 中的 {RECORDING_META} 格式不对。")
    har = recording_path(folder, RECORDING_HAR)
    snapshots: list[str] = []
    urls: list[str] = []
    items = meta.get("snapshots", [])
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        url, file = str(item.get("url", "")), recording_path(folder, str(item.get("file", "")))
        if urlsplit(url).scheme in ("http", "https") and file.is_file():
            snapshots.append(_read_snapshot(file))
            urls.append(url)
    if not urls:
        start = str(meta.get("url", ""))
        if not start:
            raise TargetError(f"录制目录 {folder} 没有指明要打开的页面。")
        urls = [start]
    return _Plan(urls, har=har if har.is_file() else None, snapshots=snapshots)


def _read_snapshot(file: Path) -> str:
    if file.stat().st_size > MAX_SNAPSHOT_BYTES:
        raise TargetError(f"页面快照 {file} 超过 {MAX_SNAPSHOT_BYTES // 1_000_000} MB，不予读取。")
    return sanitize_html(file.read_text(encoding="utf-8", errors="replace"))


def _route_offline(context: BrowserContext, plan: _Plan) -> None:
    """Serve a recording with no network: snapshot, then HAR, then local libraries, else abort.

    Playwright tries the route registered last first, and ``fallback`` hands a request on to
    the one registered before it.
    """
    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    modules = web_modules_dir().resolve()

    def local_library(route: Route) -> None:
        path = urlsplit(route.request.url).path
        if path.startswith("/web/"):
            candidate = (modules / path[len("/web/") :]).resolve()
            if modules in candidate.parents and candidate.is_file():
                route.fulfill(path=candidate)
                return
        route.fallback()

    context.route("**/web/**", local_library)
    if plan.har is not None:
        context.route_from_har(plan.har, not_found="fallback")


def _route_local_only(context: BrowserContext, origin: str) -> None:
    """Let a local page reach its own server and nothing else (no HTTP, no WebSocket)."""

    def ours(url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower() == origin

    def guard(route: Route) -> None:
        if ours(route.request.url):
            route.fallback()
        else:
            route.abort("blockedbyclient")

    def refuse(socket: WebSocketRoute) -> None:
        socket.close(code=1008, reason="offline")

    context.route("**/*", guard)
    context.route_web_socket(lambda url: not ours(url), refuse)


def _serve_snapshot(page: Page, url: str, body: str) -> None:
    """Answer the page's own URL with its recorded DOM, sanitised (see :func:`sanitize_html`).

    The snapshot is the DOM after the site's scripts ran; running them again would rebuild
    (and usually wipe) what it shows. A page route wins over the context's HAR route.
    """
    document = url.split("#", 1)[0]

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    # A predicate, not a glob: recorded URLs may hold ? or * literally.
    page.route(lambda u: u.split("#", 1)[0] == document, serve)


class _Servers:
    """One LocalServer per local target (a page, or a folder), started on first use."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, Path], LocalServer] = {}

    def url_for_page(self, page: Path) -> tuple[str, str]:
        """The URL of ``page`` served alone with its referenced assets, and the server's origin."""
        server = self._by_key.get(("page", page))
        if server is None:
            server = self._by_key[("page", page)] = LocalServer([], files=page_assets(page)).start()
        return f"{server.url}/{quote(page.name)}", server.url

    def url_for_folder(self, folder: Path) -> tuple[str, str]:
        """The URL of ``folder``'s index.html, the whole folder served, and the server's origin."""
        server = self._by_key.get(("folder", folder))
        if server is None:
            server = self._by_key[("folder", folder)] = LocalServer([folder]).start()
        return f"{server.url}/index.html", server.url

    def stop_all(self) -> None:
        for server in self._by_key.values():
            with suppress(Exception):
                server.stop()
        self._by_key.clear()


class _References(HTMLParser):
    """The script, stylesheet, image and frame addresses in a page's markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = _ASSET_ATTRIBUTES.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append(value.strip())

    handle_startendtag = handle_starttag


def page_assets(page: Path) -> dict[str, Path]:
    """URL path -> file for ``page`` and the same-folder files its markup references.

    Only relative addresses in ``src``/``href`` of script, link, img, iframe and frame count,
    only files of the kinds in ASSET_SUFFIXES, only inside the page's folder (after
    following links); referenced frames are scanned in turn. What a script fetches is not
    a reference: a saved page cannot reach the files beside it by naming them in code.
    """
    page = page.resolve()
    folder = page.parent
    assets = {"/" + page.name: page}
    queue = ["/" + page.name]
    while queue and len(assets) < MAX_PAGE_ASSETS:
        document = queue.pop(0)
        file = assets[document]
        if file.stat().st_size > MAX_SNAPSHOT_BYTES:
            continue
        parser = _References()
        parser.feed(file.read_text(encoding="utf-8", errors="replace"))
        parser.close()
        for address in parser.found:
            parts = urlsplit(address)
            if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
                continue  # another site, or a root path (/web/ is served anyway)
            path = posixpath.normpath(posixpath.join(posixpath.dirname(document), unquote(parts.path)))
            if not path.startswith("/") or path.startswith("/..") or path in assets:
                continue
            try:
                target = (folder / path.lstrip("/")).resolve()
            except (OSError, ValueError):
                continue
            if folder not in target.parents or not target.is_file() or target.suffix.lower() not in ASSET_SUFFIXES:
                continue
            assets[path] = target
            if target.suffix.lower() in (".html", ".htm"):
                queue.append(path)
    return assets


def _event_dict(event: Any) -> dict[str, Any]:
    data = event.to_dict()
    return {key: data.get(key) for key in EVENT_KEYS}


def _iter_lines(results: list[PageResult], titles: dict[str, str]) -> Iterator[str]:
    for result in results:
        if result.error is not None:
            continue
        if not result.events:
            yield f"{result.target}: 没有拦截到报错"
            continue
        yield f"{result.target}: 拦截到 {len(result.events)} 个报错"
        for event in result.events:
            said = titles.get(str(event["rule"]), "未识别的报错")
            yield f"    {source_words(str(event['source']))}：{said}。原文：{event['text']}"


def run(args: argparse.Namespace) -> int:
    """``interceptor replay TARGET... [--json FILE] [--wait S] [--screenshots DIR] [--dialogs …]``."""
    from .classify import load_rules

    if args.wait < 0:
        print("--wait 不能为负数。", file=sys.stderr)
        return 2
    rules = load_rules(getattr(args, "rules", None))
    try:
        results = replay_targets(
            list(args.targets),
            rules=rules,
            wait=float(args.wait),
            dialogs=str(args.dialogs),
            screenshots=Path(args.screenshots) if args.screenshots else None,
            online=bool(getattr(args, "online", False)),
        )
    except InterceptorError as exc:  # no browser, unreadable rules: nothing could be replayed
        print(f"无法重放：{exc}", file=sys.stderr)
        return 2
    # Reports keep personal data masked, as the event log does.
    pages = [mask_data(r.to_dict()) for r in results]
    for line in _iter_lines(results, {rule.id: rule.title for rule in rules.rules}):
        print(str(mask_data(line)))
    for result in results:
        if result.error is not None:
            print(result.error, file=sys.stderr)
    if args.json_file:
        write_private_text(Path(args.json_file), json.dumps({"pages": pages}, ensure_ascii=False, indent=2))
    return 0 if all(r.loaded for r in results) else 1
