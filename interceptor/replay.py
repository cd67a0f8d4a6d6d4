"""``interceptor replay``: load pages headless with the companion and report what it intercepts.

A target is an http(s) URL, a local ``.html`` file (its folder is served by
:class:`~interceptor.server.LocalServer`, so ``/web/<pkg>/`` libraries load), a folder
written by ``interceptor record`` or a ``.har`` file. Recorded folders and HAR files replay
offline: responses come from the HAR, the front-end libraries of ``/web/`` from the local
npm install, and every other request is aborted. Targets share one browser and are loaded a
few at a time so their watch windows overlap.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from .browser import own_playwright_thread
from .errors import InterceptorError, TargetError
from .privacy import mask_data
from .server import LocalServer, web_modules_dir

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

    from .classify import RuleSet
    from .companion import Companion

RECORDING_META = "recording.json"
RECORDING_HAR = "recording.har"
EVENT_KEYS = ("source", "text", "rule", "captures", "overlay", "frame_url")
DEFAULT_WAIT_S = 5.0
DEFAULT_CONCURRENCY = 4
LOAD_TIMEOUT_MS = 30_000
MAX_SETTLE_S = 15.0  # longest the watch window waits for late frames after the load event
_SETTLING = frozenset({"document", "script"})  # resources that start a frame's own timers
VIEWPORT = {"width": 1280, "height": 800}

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)


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
    # One per URL (same index), or empty: the DOM snapshot each page is served instead of its URL.
    snapshots: list[Path] = field(default_factory=list)


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
) -> list[PageResult]:
    """Replay ``targets`` headless, in the given order; one :class:`PageResult` each.

    Up to ``concurrency`` targets are open at once: a new one starts loading as soon as
    another has been watched long enough, so loading and watching overlap. A target that
    cannot be loaded gets ``error`` set; the others still run.
    """
    from .rules import load_rules

    rules = rules or load_rules()
    items = [t if isinstance(t, ReplayTarget) else ReplayTarget(str(t)) for t in targets]
    results = [PageResult(t.spec) for t in items]
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
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
                                        dialogs=dialogs, rules=rules, servers=servers))
                except TargetError as exc:
                    results[index].error = str(exc)
            now = time.monotonic()
            for session in list(active):
                until = session.watch_until
                if until is None and now - session.started > LOAD_TIMEOUT_MS / 1000:
                    session.result.error = f"The target {session.target.spec} did not finish loading in time."
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
            path = screenshots / f"{session.number:02d}-{_slug(session.target.spec)}{suffix}.png"
            with suppress(Exception):
                page.screenshot(path=str(path))
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
          dialogs: str, rules: RuleSet, servers: _Servers) -> _Session:
    """Start loading ``target`` (up to its first response); its load events arrive later."""
    from .companion import attach

    plan = _plan(target.spec, servers)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # type: ignore[arg-type]
    try:
        if plan.har is not None or plan.snapshots:
            _route_offline(context, plan)
        companion = attach(context, rules=rules, dialogs=target.dialogs or dialogs)  # type: ignore[arg-type]
        window = target.wait if target.wait is not None else wait
        session = _Session(number, target, result, context, companion, [], window)
        for index, url in enumerate(plan.urls):
            page = context.new_page()
            session.pages.append(page)
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
        raise TargetError(f"The target {spec} could not be loaded: {_reason(exc)}.") from None
    if response is not None and response.status >= 400:
        raise TargetError(f"The target {spec} could not be loaded: the server answered HTTP {response.status}.")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def _plan(spec: str, servers: _Servers) -> _Plan:
    scheme = urlsplit(spec).scheme.lower()
    if scheme in ("http", "https"):
        return _Plan([spec])
    path = Path(spec[len("file://") :] if scheme == "file" else spec).expanduser()
    if not path.exists():
        raise TargetError(f"The target {spec} does not exist: give an http(s) URL, an .html file, "
                          "a recorded folder or a .har file.")
    path = path.resolve()
    if path.is_dir():
        if (path / RECORDING_META).is_file():
            return _recorded_plan(path)
        if (path / "index.html").is_file():
            return _Plan([servers.url_for(path / "index.html")])
        hars = sorted(path.glob("*.har"))
        if len(hars) == 1:
            return _har_plan(hars[0])
        raise TargetError(f"The folder {spec} is not a recorded folder: it has no {RECORDING_META}, "
                          "no index.html and not exactly one .har file.")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return _Plan([servers.url_for(path)])
    if suffix == ".har":
        return _har_plan(path)
    raise TargetError(f"The target {spec} is neither an http(s) URL, an .html file, a recorded folder "
                      "nor a .har file.")


def _har_plan(har: Path) -> _Plan:
    try:
        entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TargetError(f"The HAR file {har} cannot be read: {exc}.") from None
    first = _first_document(entries)
    if first is None:
        raise TargetError(f"The HAR file {har} holds no HTML page to open.")
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
        raise TargetError(f"The recorded folder {folder} has an unreadable {RECORDING_META}: {exc}.") from None
    har = folder / RECORDING_HAR
    snapshots: list[Path] = []
    urls: list[str] = []
    for item in meta.get("snapshots", []):
        url, file = str(item.get("url", "")), folder / str(item.get("file", ""))
        if urlsplit(url).scheme in ("http", "https") and file.is_file():
            snapshots.append(file)
            urls.append(url)
    if not urls:
        start = str(meta.get("url", ""))
        if not start:
            raise TargetError(f"The recorded folder {folder} names no page to open.")
        urls = [start]
    return _Plan(urls, har=har if har.is_file() else None, snapshots=snapshots)


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


def _serve_snapshot(page: Page, url: str, file: Path) -> None:
    """Answer the page's own URL with its recorded DOM, scripts removed.

    The snapshot is the DOM after the site's scripts ran; running them again would rebuild
    (and usually wipe) what it shows. A page route wins over the context's HAR route.
    """
    body = _SCRIPT.sub("", file.read_text(encoding="utf-8", errors="replace"))
    document = url.split("#", 1)[0]

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    # A predicate, not a glob: recorded URLs may hold ? or * literally.
    page.route(lambda u: u.split("#", 1)[0] == document, serve)


class _Servers:
    """One LocalServer per folder of local .html targets, started on first use."""

    def __init__(self) -> None:
        self._by_root: dict[Path, LocalServer] = {}

    def url_for(self, file: Path) -> str:
        root = file.parent
        server = self._by_root.get(root)
        if server is None:
            server = self._by_root[root] = LocalServer([root]).start()
        return f"{server.url}/{quote(file.name)}"

    def stop_all(self) -> None:
        for server in self._by_root.values():
            with suppress(Exception):
                server.stop()
        self._by_root.clear()


def _event_dict(event: Any) -> dict[str, Any]:
    data = event.to_dict()
    return {key: data.get(key) for key in EVENT_KEYS}


def _slug(spec: str) -> str:
    name = spec.rstrip("/").rsplit("/", 1)[-1] or "page"
    return re.sub(r"[^0-9A-Za-z._-]+", "-", name)[:60].strip("-") or "page"


def _iter_lines(results: list[PageResult]) -> Iterator[str]:
    for result in results:
        if result.error is not None:
            continue
        if not result.events:
            yield f"{result.target}: 没有拦截到报错"
            continue
        yield f"{result.target}: 拦截到 {len(result.events)} 个报错"
        for event in result.events:
            yield f"    [{event['source']}] {event['rule'] or '未识别'}：{event['text']}"


def run(args: argparse.Namespace) -> int:
    """``interceptor replay TARGET... [--json FILE] [--wait S] [--screenshots DIR] [--dialogs …]``."""
    if args.wait < 0:
        print("--wait 不能为负数。", file=sys.stderr)
        return 2
    try:
        results = replay_targets(
            list(args.targets),
            wait=float(args.wait),
            dialogs=str(args.dialogs),
            screenshots=Path(args.screenshots) if args.screenshots else None,
        )
    except InterceptorError as exc:  # no browser, unreadable rules: nothing could be replayed
        print(f"无法重放：{exc}", file=sys.stderr)
        return 2
    # Reports keep personal data masked, as the event log does.
    pages = [mask_data(r.to_dict()) for r in results]
    for line in _iter_lines(results):
        print(str(mask_data(line)))
    for result in results:
        if result.error is not None:
            print(f"无法加载：{result.error}", file=sys.stderr)
    if args.json_file:
        out = Path(args.json_file)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"pages": pages}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(r.loaded for r in results) else 1
