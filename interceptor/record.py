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

A recording holds no secrets: the HAR loses cookies, credential and token headers, and the
values of password, token, secret and captcha fields (query strings, form, JSON and
multipart bodies); text bodies too large to mask are not kept. Snapshots are inert (no
scripts, ``on*`` handlers or ``javascript:`` URLs); screenshots cover input fields and
texts holding 身份证 or mobile numbers. The folder and its files are the owner's alone.

Over 400 lines because cleaning a HAR of secrets (cookies, tokens, passwords in URLs, forms,
JSON and multipart bodies) is most of it, and belongs with the recording that writes it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .browser import own_playwright_thread
from .errors import (
    EXIT_ENVIRONMENT,
    NO_DISPLAY,
    EnvironmentProblem,
    InterceptorError,
    TargetError,
    browser_failure,
    has_display,
    page_failure,
)
from .files import private_dir, write_private_bytes, write_private_text
from .privacy import mask, mask_data
from .recording import RECORDING_HAR, RECORDING_META, sanitize_html
from .server import web_modules_dir
from .wording import source_words

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Frame, Locator, Page

    from .classify import RuleSet
    from .companion import Companion, Event

POLL_S = 0.2
OVERLAY_WAIT_MS = 2000
# Text bodies are masked; scripts and styles are left alone (masking could change code).
MASKED_MIME = ("html", "json", "text/plain", "xml", "csv")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
REDACTED = "***"
# Field names whose values are secrets, in query strings, forms, JSON and multipart bodies.
SECRET_FIELD = re.compile(r"password|passwd|pwd|密码|token|secret|captcha|验证码", re.IGNORECASE)
# Headers that carry credentials: cookies, Authorization and every token-like name.
SECRET_HEADER = re.compile(r"^(cookie|set-cookie)$|auth|token|secret|session|csrf|xsrf|api-?key|password|passwd|pwd",
                           re.IGNORECASE)
# What screenshots hide: 身份证 (18 or 15 digits) and mobile numbers.
PERSONAL_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9Xx])")
MASK_COLOR = "#FF00FF"
FIELDS = "input:not([type=hidden]):not([type=button]):not([type=submit]):not([type=reset]), textarea, [contenteditable=true]"


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
        private_dir(folder / "snapshots")
        private_dir(folder / "screenshots")

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
                write_private_text(snapshot, sanitize_html(mask(frame.content())))
                entry["snapshot"] = f"snapshots/{snapshot.name}"
                # The HAR's URLs are masked too, so the snapshot's must be to match on replay.
                self.recording.snapshots.append({"url": mask(scrub_url(frame.url)), "file": entry["snapshot"]})
        if page is not None and not (event.source == "dialog" and not event.overlay):
            with suppress(Exception):
                overlay = page.locator("[data-interceptor-overlay]").first
                with suppress(Exception):
                    overlay.wait_for(state="attached", timeout=OVERLAY_WAIT_MS)
                shot = self.recording.folder / "screenshots" / f"{stem}.png"
                # No mask, no picture: a failed masked screenshot is not retried without it.
                write_private_bytes(shot, page.screenshot(timeout=5000, mask=screenshot_masks(page),
                                                          mask_color=MASK_COLOR))
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
        write_private_text(folder / "events.json", json.dumps(self.recording.events, ensure_ascii=False, indent=2))
        meta = {
            "version": 1,
            "url": mask(scrub_url(self.recording.url)),
            "recorded": datetime.now(UTC).isoformat(timespec="seconds"),
            "har": RECORDING_HAR,
            "snapshots": self.recording.snapshots,
        }
        write_private_text(folder / RECORDING_META, json.dumps(meta, ensure_ascii=False, indent=2))


def screenshot_masks(page: Page) -> list[Locator]:
    """Locators over what a screenshot must not show, in every frame of ``page``.

    Input fields (their values are no text a locator could match), and the smallest
    elements whose text holds a 身份证 or mobile number.
    """
    masks: list[Locator] = []
    for frame in page.frames:
        if frame.is_detached():
            continue
        masks.append(frame.locator(FIELDS))
        masks.append(frame.get_by_text(PERSONAL_NUMBER))
    return masks


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
    fresh = not folder.exists()
    before = set(folder.iterdir()) if folder.is_dir() else set()
    folder = private_dir(folder)
    har = folder / RECORDING_HAR
    options = launch_options(headless=headless, assisted=not headless)
    context_args: dict[str, Any] = {"record_har_path": str(har), "viewport": {"width": 1280, "height": 800},
                                    "locale": "zh-CN"}
    with sync_playwright() as pw:
        browser = None
        try:
            if profile is not None:
                profile.mkdir(parents=True, exist_ok=True)
                context = pw.chromium.launch_persistent_context(str(profile), **options, **context_args)
            else:
                browser = pw.chromium.launch(**options)
                context = browser.new_context(**context_args)
        except Exception as exc:
            _discard(folder, fresh, before)
            raise EnvironmentProblem(f"浏览器无法启动，未能录制。{browser_failure(str(exc))}") from None
        closed: list[bool] = []
        context.on("close", lambda _: closed.append(True))
        # A person answers dialogs in a headed session; headless runs must not stall on them.
        companion = attach(context, rules=rules, dialogs="accept" if headless else "leave")
        recorder = Recorder(context, companion, folder, url)
        page = context.pages[0] if context.pages else context.new_page()
        try:
            page.goto(url)
        except Exception as exc:
            with suppress(Exception):
                context.close()
            if browser is not None:
                with suppress(Exception):
                    browser.close()
            # No recording.json: the folder must not look like a recording that replay could open.
            _discard(folder, fresh, before)
            raise TargetError(f"页面 {url} 无法加载，未能录制：{page_failure(str(exc))}。") from None
        # Only now does the folder become a recording.
        recorder.write_index()
        if echo:
            print(f"正在录制 {url} → {folder}", flush=True)
            print(_how_it_ends(headless=headless, duration=duration), flush=True)
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
                        said = entry.get("title") or "未识别的报错"
                        print(f"  拦截到{source_words(str(entry.get('source')))}：{said}。原文：{entry.get('text')}",
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
        try:
            clean_har(har)
        except Exception:
            har.unlink(missing_ok=True)  # a HAR that could not be cleaned holds cookies and passwords
            raise
    recorder.write_index()
    return recorder.recording


def _how_it_ends(*, headless: bool, duration: float | None) -> str:
    if duration is not None:
        return f"{duration:g} 秒后自动结束录制，也可以按 Ctrl-C 提前结束。"
    if headless:
        return "浏览器在后台运行（没有窗口），按 Ctrl-C 结束录制。"
    return "关闭浏览器或按 Ctrl-C 结束录制。"


def _discard(folder: Path, fresh: bool, before: set[Path]) -> None:
    """Remove what a failed recording wrote: the folder if we made it, else our own files in it."""
    import shutil

    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for item in set(folder.iterdir()) - before:
        if item.is_dir():
            shutil.rmtree(item, ignore_errors=True)
        else:
            item.unlink(missing_ok=True)


def clean_har(har: Path) -> None:
    """Drop our local ``/web/`` library responses, secrets and personal data.

    Every string is masked (URLs, query strings, headers such as Referer, post data, page
    titles) except bodies that are code or binary, where masking could change what runs.
    Secrets are removed (see :func:`_strip_secrets`); a text body larger than the
    companion's MAX_BODY is dropped unread, going by its declared size first.
    """
    from .companion import MAX_BODY

    data = json.loads(har.read_text(encoding="utf-8"))
    log = data.setdefault("log", {})
    modules = web_modules_dir().resolve()
    kept = []
    for entry in log.get("entries", []):
        if not isinstance(entry, dict):
            continue
        parts = urlsplit(str(entry.get("request", {}).get("url", "")))
        if parts.hostname in LOOPBACK_HOSTS and parts.path.startswith("/web/"):
            candidate = (modules / parts.path[len("/web/") :]).resolve()
            if modules in candidate.parents and candidate.is_file():
                continue
        _strip_secrets(entry)
        content = entry.get("response", {}).get("content", {})
        body = content.pop("text", None) if isinstance(content, dict) else None
        entry = cast(dict[str, Any], mask_data(entry))
        if isinstance(body, str) and isinstance(content, dict):
            mime = str(content.get("mimeType", ""))
            textual = content.get("encoding") != "base64" and any(m in mime for m in MASKED_MIME)
            if textual and (_declared_size(entry) > MAX_BODY or len(body) > MAX_BODY):
                entry["response"]["content"]["comment"] = "正文过大，未保存。"
                kept.append(entry)
                continue
            if textual and "json" in mime:
                body = _scrub_json_text(body)
            entry["response"]["content"]["text"] = mask(body) if textual else body
        kept.append(entry)
    log["entries"] = kept
    if "pages" in log:
        log["pages"] = mask_data(log["pages"])
    write_private_text(har, json.dumps(data, ensure_ascii=False))


def _declared_size(entry: dict[str, Any]) -> int:
    response = entry.get("response", {})
    sizes = [response.get("content", {}).get("size"), response.get("bodySize")]
    for header in response.get("headers", []):
        if str(header.get("name", "")).lower() == "content-length":
            sizes.append(header.get("value"))
    declared = 0
    for size in sizes:
        with suppress(TypeError, ValueError):
            declared = max(declared, int(size))
    return declared


def _strip_secrets(entry: dict[str, Any]) -> None:
    """Remove cookies, credential headers and secret field values from one HAR entry, in place."""
    request, response = entry.get("request", {}), entry.get("response", {})
    for message in (request, response):
        if not isinstance(message, dict):
            continue
        if "cookies" in message:
            message["cookies"] = []
        for header in message.get("headers", []):
            name = str(header.get("name", ""))
            if SECRET_HEADER.search(name):
                header["value"] = REDACTED
            elif name.lower() in ("referer", "location"):
                header["value"] = scrub_url(str(header.get("value", "")))
    if isinstance(request, dict):
        if "url" in request:
            request["url"] = scrub_url(str(request["url"]))
        for item in request.get("queryString", []):
            if SECRET_FIELD.search(str(item.get("name", ""))):
                item["value"] = REDACTED
        post = request.get("postData")
        if isinstance(post, dict):
            for item in post.get("params", []):
                if SECRET_FIELD.search(str(item.get("name", ""))):
                    item["value"] = REDACTED
                    item.pop("fileName", None)
            if isinstance(post.get("text"), str):
                post["text"] = scrub_body(post["text"], str(post.get("mimeType", "")))
    if isinstance(response, dict) and response.get("redirectURL"):
        response["redirectURL"] = scrub_url(str(response["redirectURL"]))


def scrub_url(url: str) -> str:
    """``url`` with the values of secret query fields replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = _scrub_form(parts.query)
    return urlunsplit(parts._replace(query=query)) if query != parts.query else url


def scrub_body(text: str, mime: str) -> str:
    """A request body with the values of secret fields replaced (form, JSON or multipart)."""
    kind = mime.lower()
    if "multipart/form-data" in kind:
        return _scrub_multipart(text, mime)
    if "json" in kind:
        return _scrub_json_text(text)
    if "x-www-form-urlencoded" in kind:
        return _scrub_form(text)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _scrub_json_text(text)
    if "=" in text and not any(c in text for c in " \n<"):
        return _scrub_form(text)
    return text


def _scrub_form(text: str) -> str:
    pairs = parse_qsl(text, keep_blank_values=True)
    if not any(SECRET_FIELD.search(k) for k, _ in pairs):
        return text
    return urlencode([(k, REDACTED if SECRET_FIELD.search(k) else v) for k, v in pairs])


def _scrub_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if SECRET_FIELD.search(str(k)) and not isinstance(v, (dict, list)) else _scrub_json(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v) for v in value]
    return value


def _scrub_json_text(text: str) -> str:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return text
    scrubbed = _scrub_json(data)
    return text if scrubbed == data else json.dumps(scrubbed, ensure_ascii=False)


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PART_NAME = re.compile(r'\bname="([^"]*)"', re.IGNORECASE)


def _scrub_multipart(text: str, mime: str) -> str:
    found = _BOUNDARY.search(mime)
    if not found:
        return text
    delimiter = "--" + found.group(1)
    pieces = text.split(delimiter)
    for index, piece in enumerate(pieces):
        head, sep, body = piece.partition("\r\n\r\n")
        if not sep:
            head, sep, body = piece.partition("\n\n")
        name = _PART_NAME.search(head) if sep else None
        if name is None or not SECRET_FIELD.search(name.group(1)):
            continue
        ending = "\r\n" if body.endswith("\r\n") else ("\n" if body.endswith("\n") else "")
        pieces[index] = head + sep + REDACTED + ending
    return delimiter.join(pieces)


def run(args: argparse.Namespace) -> int:
    """``interceptor record [URL | --demo] --out DIR [--profile DIR] [--headless] [--duration S] [--rules PATH]``."""
    from .classify import load_rules

    if args.duration is not None and args.duration <= 0:
        print("--duration 必须大于 0。", file=sys.stderr)
        return 2
    demo = bool(getattr(args, "demo", False))
    if demo == bool(args.url):
        print("请写出要录制的网址，或者用 --demo 录制本地演示大厅（两者只能选一个）。", file=sys.stderr)
        return 2
    if not args.headless and not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_ENVIRONMENT
    rules = load_rules(getattr(args, "rules", None))
    server: Any = None
    url = str(args.url or "")
    if demo:
        from .demo import start_demo_server

        server = start_demo_server()
        url = server.url + "/"
    from .launch import stop_on_sigterm

    try:
        with stop_on_sigterm():
            recording = record_session(
                url,
                Path(args.out),
                profile=Path(args.profile) if args.profile else None,
                headless=bool(args.headless),
                duration=args.duration,
                rules=rules,
            )
    except EnvironmentProblem:
        raise
    except InterceptorError as exc:
        print(f"无法录制：{exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.stop()
    print(f"录制完成：{len(recording.events)} 个报错，保存在 {recording.folder}", flush=True)
    print(f"可以用 interceptor replay {recording.folder} 离线重放。", flush=True)
    return 0
