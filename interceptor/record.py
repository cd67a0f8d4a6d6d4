"""``interceptor record URL --out DIR``: a session with the companion, saved for offline replay.

The folder it writes::

    DIR/recording.json        start URL, time, and one entry per DOM snapshot
    DIR/recording.har         the site's own responses (replayed offline by ``interceptor replay``)
    DIR/events.json           every intercepted error, with its snapshot and screenshot
    DIR/snapshots/NNN-<rule>.html    the DOM of the frame that showed the error
    DIR/screenshots/NNN-<rule>.png   the top-level page with the remedy overlay

身份证 and mobile numbers are masked in events, snapshots and text bodies of the HAR. The
front-end libraries a loopback page loads from ``/web/<pkg>/`` (our npm install, not the
site's code) are left out of the HAR; replay serves them from the same install.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from .browser import own_playwright_thread
from .errors import InterceptorError, TargetError
from .privacy import mask, mask_data
from .replay import RECORDING_HAR, RECORDING_META
from .server import web_modules_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Frame, Page

    from .classify import RuleSet
    from .companion import Companion, Event

POLL_S = 0.2
OVERLAY_WAIT_MS = 2000
# Text bodies are masked; scripts and styles are left alone (masking could change code).
MASKED_MIME = ("html", "json", "text/plain", "xml", "csv")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass
class Recording:
    """What a recording saved."""

    folder: Path
    url: str
    events: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, str]] = field(default_factory=list)


class Recorder:
    """Saves a snapshot, a screenshot and the event for each new companion event."""

    def __init__(self, context: BrowserContext, companion: Companion, folder: Path, url: str) -> None:
        self.context = context
        self.companion = companion
        self.recording = Recording(folder, url)
        self._seen = 0
        (folder / "snapshots").mkdir(parents=True, exist_ok=True)
        (folder / "screenshots").mkdir(parents=True, exist_ok=True)

    def poll(self) -> list[dict[str, Any]]:
        """Save what arrived since the last poll; returns the new (masked) event entries."""
        events = list(self.companion.events)
        new = events[self._seen :]
        self._seen = len(events)
        before = len(self.recording.events)
        for event in new:
            self._save(event)
        if new:
            self.write_index()
        return self.recording.events[before:]

    def _save(self, event: Event) -> None:
        number = len(self.recording.events) + 1
        stem = f"{number:03d}-{event.rule or 'unknown'}"
        entry = cast(dict[str, Any], mask_data(event.to_dict()))
        frame, page = self._frame_of(event)
        # While a native dialog is open the page runs no script, so reading its DOM would wait
        # for the person to answer; a dialog is not in the DOM anyway.
        if event.source == "dialog":
            frame = None
        if frame is not None:
            with suppress(Exception):
                snapshot = self.recording.folder / "snapshots" / f"{stem}.html"
                snapshot.write_text(mask(frame.content()), encoding="utf-8")
                entry["snapshot"] = f"snapshots/{snapshot.name}"
                # The HAR's URLs are masked too, so the snapshot's must be to match on replay.
                self.recording.snapshots.append({"url": mask(frame.url), "file": entry["snapshot"]})
        if page is not None and not (event.source == "dialog" and not event.overlay):
            with suppress(Exception):
                overlay = page.locator("[data-interceptor-overlay]").first
                with suppress(Exception):
                    overlay.wait_for(state="attached", timeout=OVERLAY_WAIT_MS)
                shot = self.recording.folder / "screenshots" / f"{stem}.png"
                page.screenshot(path=str(shot), timeout=5000)
                entry["screenshot"] = f"screenshots/{shot.name}"
        self.recording.events.append(entry)

    def _frame_of(self, event: Event) -> tuple[Frame | None, Page | None]:
        pages = [p for p in self.context.pages if not p.is_closed()]
        for page in pages:
            for frame in page.frames:
                if frame.url == event.frame_url:
                    return frame, page
        if pages:
            return pages[0].main_frame, pages[0]
        return None, None

    def write_index(self) -> None:
        folder = self.recording.folder
        (folder / "events.json").write_text(
            json.dumps(self.recording.events, ensure_ascii=False, indent=2), encoding="utf-8")
        meta = {
            "version": 1,
            "url": mask(self.recording.url),
            "recorded": datetime.now(UTC).isoformat(timespec="seconds"),
            "har": RECORDING_HAR,
            "snapshots": self.recording.snapshots,
        }
        (folder / RECORDING_META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


@own_playwright_thread
def record_session(
    url: str,
    folder: Path,
    *,
    profile: Path | None = None,
    headless: bool = False,
    duration: float | None = None,
    rules: RuleSet | None = None,
    echo: bool = True,
) -> Recording:
    """Open ``url`` with the companion, save every error until the browser closes or time is up."""
    from playwright.sync_api import sync_playwright

    from .browser import launch_options
    from .companion import attach

    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    har = folder / RECORDING_HAR
    options = launch_options(headless=headless, assisted=not headless)
    context_args: dict[str, Any] = {"record_har_path": str(har), "viewport": {"width": 1280, "height": 800},
                                    "locale": "zh-CN"}
    with sync_playwright() as pw:
        browser = None
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            context = pw.chromium.launch_persistent_context(str(profile), **options, **context_args)
        else:
            browser = pw.chromium.launch(**options)
            context = browser.new_context(**context_args)
        closed: list[bool] = []
        context.on("close", lambda _: closed.append(True))
        # A person answers dialogs in a headed session; headless runs must not stall on them.
        companion = attach(context, rules=rules, dialogs="accept" if headless else "leave")
        recorder = Recorder(context, companion, folder, url)
        recorder.write_index()
        page = context.pages[0] if context.pages else context.new_page()
        try:
            page.goto(url)
        except Exception as exc:
            with suppress(Exception):
                context.close()
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise TargetError(f"The page {url} could not be loaded for recording: {reason}.") from None
        if echo:
            print(f"正在录制 {url} → {folder}", flush=True)
            print("关闭浏览器或按 Ctrl-C 结束录制。" if duration is None else f"{duration:g} 秒后自动结束。", flush=True)
        deadline = time.monotonic() + duration if duration is not None else None
        try:
            while not closed and (deadline is None or time.monotonic() < deadline):
                live = [p for p in context.pages if not p.is_closed()]
                if not live:
                    break
                try:
                    live[0].wait_for_timeout(POLL_S * 1000)
                except Exception:
                    if closed:
                        break
                    continue
                for entry in recorder.poll():
                    if echo:
                        print(f"  拦截到 [{entry.get('source')}] {entry.get('rule') or '未识别'}：{entry.get('text')}",
                              flush=True)
        except KeyboardInterrupt:
            if echo:
                print("已停止录制，正在保存…", flush=True)
        finally:
            with suppress(Exception):
                recorder.poll()
            recorder.write_index()
            with suppress(Exception):
                context.close()  # writes the HAR
            if browser is not None:
                with suppress(Exception):
                    browser.close()
    if har.is_file():
        clean_har(har)
    recorder.write_index()
    return recorder.recording


def clean_har(har: Path) -> None:
    """Drop our local ``/web/`` library responses and mask personal data.

    Every string is masked (URLs, query strings, headers such as Referer, post data, page
    titles) except bodies that are code or binary, where masking could change what runs.
    """
    data = json.loads(har.read_text(encoding="utf-8"))
    log = data.setdefault("log", {})
    modules = web_modules_dir().resolve()
    kept = []
    for entry in log.get("entries", []):
        parts = urlsplit(str(entry.get("request", {}).get("url", "")))
        if parts.hostname in LOOPBACK_HOSTS and parts.path.startswith("/web/"):
            candidate = (modules / parts.path[len("/web/") :]).resolve()
            if modules in candidate.parents and candidate.is_file():
                continue
        content = entry.get("response", {}).get("content", {})
        body = content.pop("text", None) if isinstance(content, dict) else None
        entry = cast(dict[str, Any], mask_data(entry))
        if isinstance(body, str):
            mime = str(content.get("mimeType", ""))
            textual = content.get("encoding") != "base64" and any(m in mime for m in MASKED_MIME)
            entry["response"]["content"]["text"] = mask(body) if textual else body
        kept.append(entry)
    log["entries"] = kept
    if "pages" in log:
        log["pages"] = mask_data(log["pages"])
    har.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    """``interceptor record URL --out DIR [--profile DIR] [--headless] [--duration S]``."""
    if args.duration is not None and args.duration <= 0:
        print("--duration 必须大于 0。", file=sys.stderr)
        return 2
    try:
        recording = record_session(
            args.url,
            Path(args.out),
            profile=Path(args.profile) if args.profile else None,
            headless=bool(args.headless),
            duration=args.duration,
        )
    except InterceptorError as exc:
        print(f"无法录制：{exc}", file=sys.stderr)
        return 1
    print(f"录制完成：{len(recording.events)} 个报错，保存在 {recording.folder}", flush=True)
    return 0
