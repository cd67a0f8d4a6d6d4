"""The live companion: watch a Playwright page or context, classify errors, show remedies.

``attach(target)`` installs the in-page watcher (``interceptor/watcher/*.js``) in every frame,
listens to native dialogs and to the site's JSON responses, and classifies every candidate
text with the one :class:`~interceptor.classify.RuleSet`. Each error becomes an
:class:`Event`; the top-level page then shows its remedy in an overlay.

Playwright's sync API delivers our callbacks only while the calling thread is inside a
Playwright call, so a script that just wants to watch calls :meth:`Companion.watch` or
:meth:`Companion.wait_for_event`, which keep the event loop turning.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from loguru import logger
from playwright.sync_api import BrowserContext, Dialog, Error, Page, Response

from .classify import Match, RuleSet
from .errors import CompanionTimeout, InterceptorError
from .eventlog import EventLog
from .normalize import normalize
from .rules import load_rules
from .watcher import bundle

DialogMode = Literal["accept", "dismiss", "leave"]
Draw = Literal["now", "later", "reply"]
Source = Literal["dom", "dialog", "network"]

BINDING = "__interceptorReport"
SHOW_OVERLAY = "d => window.__interceptorOverlay ? window.__interceptorOverlay.show(d) : false"

# The same error seen through several channels (its API response, then its toast) within
# this many seconds is one event; seen again later, it is a new one.
DEDUP_SECONDS = 2.0
MAX_TEXT = 2000
MAX_PLAIN = 300  # longest unstyled banner text that may raise an unknown error
MAX_BODY = 2_000_000

# For banners that are not styled as errors and for unknown texts: what an error says.
# Strong words mark an error even beside 成功 ("成功 3 条，失败 2 条"); weak ones only alone.
_STRONG_ERROR = re.compile(r"错误|失败|异常|出错|error|fail|exception", re.IGNORECASE)
_WEAK_ERROR = re.compile(
    r"不能|不可|不允许|无法|未能|未找到|不存在|为空|没有|不符|不正确|有误|超时|过期|繁忙|维护|权限|"
    r"重新登录|拒绝|非法|denied|invalid|unauthori[sz]ed|forbidden",
    re.IGNORECASE,
)
_SUCCESS_HINT = re.compile(r"成功|已保存|已提交|办结|完成|success", re.IGNORECASE)

_MESSAGE_KEYS = ("msg", "message", "resultMsg", "errMsg", "errmsg", "error_description", "error", "desc")
_OK_CODES = {"0", "200", "00000", "ok", "success"}


@dataclass
class Event:
    """One intercepted error."""

    source: Source
    text: str
    rule: str | None
    captures: dict[str, str] = field(default_factory=dict)
    overlay: bool = False
    frame_url: str = ""
    time: float = field(default_factory=time.time)
    title: str | None = None
    kind: str = ""  # where the text came from: the banner's library, "page-text", "alert", "api"…

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def looks_like_error(text: str) -> bool:
    """True when a text that no rule knows reads like an error rather than a notice."""
    if _STRONG_ERROR.search(text):
        return True
    return bool(_WEAK_ERROR.search(text)) and not _SUCCESS_HINT.search(text)


def looks_like_success(text: str) -> bool:
    return bool(_SUCCESS_HINT.search(text)) and not looks_like_error(text)


def api_error_text(status: int, data: Any) -> str | None:
    """The error message of a JSON API response, or None when it reports success.

    Shapes seen on the hall and its sister sites: ``{"appcode": "1", "msg": …}``,
    ``{"code": "-1", "msg": …}``, ``{"flag": false, "resultMsg": …}``, and HTTP 400 with
    ``{"message": …}`` or ``{"errors": [{"message": …}]}``.
    """
    if not isinstance(data, dict):
        return None
    message = ""
    for key in _MESSAGE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            message = value.strip()
            break
    if not message and isinstance(data.get("errors"), list):
        texts = [
            str(e.get("message") or e.get("msg") or "").strip() if isinstance(e, dict) else str(e).strip()
            for e in data["errors"]
        ]
        message = "；".join(t for t in texts if t)
    failed = status >= 400
    if "appcode" in data and str(data["appcode"]).strip() != "0":
        failed = True
    code = data.get("code")
    if code is not None and not isinstance(code, bool) and str(code).strip().lower() not in _OK_CODES:
        failed = True
    if data.get("flag") is False or data.get("success") is False:
        failed = True
    return message[:MAX_TEXT] if failed and message else None


class Companion:
    """Watches one page or a whole context; see :func:`attach`."""

    def __init__(
        self,
        target: Page | BrowserContext,
        *,
        rules: RuleSet | None = None,
        dialogs: DialogMode = "accept",
        log: Path | str | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> None:
        if dialogs not in ("accept", "dismiss", "leave"):
            raise InterceptorError(f"dialogs must be 'accept', 'dismiss' or 'leave', not {dialogs!r}.")
        self.target = target
        self.rules = rules if rules is not None else load_rules()
        self.dialogs: DialogMode = dialogs
        self.events: list[Event] = []
        self.on_event = on_event
        self.log = EventLog(log) if log is not None else None
        self._recent: list[tuple[float, str, str]] = []  # (time, key, normalised text)
        self._returned: set[int] = set()  # events already handed out by wait_for_event
        self._keys = itertools.count(1)
        self._awaiting: dict[str, Event] = {}  # overlay card key -> event, until the page confirms
        # Events whose overlay is still being drawn are logged once that is settled, so the
        # log says truthfully whether a remedy was shown.
        self._unlogged: dict[str, Event] = {}
        self._closed = False
        self._script = bundle(self.rules.watch_config())
        self._install()

    # --- installation ----------------------------------------------------------------

    def _install(self) -> None:
        target = self.target
        try:
            target.expose_binding(BINDING, self._on_report)
        except Error as exc:
            raise InterceptorError(
                "A companion is already attached to this page or its context; attach once, "
                "to the context if several pages must be watched."
            ) from exc
        target.add_init_script(script=self._script)
        target.on("dialog", self._on_dialog)
        target.on("response", self._on_response)
        # Documents already loaded missed the init script: start the watcher there too.
        for page in self._pages():
            for frame in page.frames:
                # A frame that is navigating gets the init script anyway.
                with contextlib.suppress(Error):
                    frame.evaluate(self._script)

    def _pages(self) -> list[Page]:
        if isinstance(self.target, Page):
            return [] if self.target.is_closed() else [self.target]
        return [p for p in self.target.pages if not p.is_closed()]

    def close(self) -> None:
        """Stop reporting; the browser and its pages stay as they are."""
        if self._closed:
            return
        self._closed = True
        for event_name, handler in (("dialog", self._on_dialog), ("response", self._on_response)):
            with contextlib.suppress(Exception):  # the target may already be closed
                self.target.remove_listener(event_name, handler)
        for event in list(self._unlogged.values()):  # overlays never confirmed
            self._write_log(event)
        self._unlogged.clear()
        self._awaiting.clear()
        if self.log is not None:
            self.log.close()

    def __enter__(self) -> Companion:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- waiting ---------------------------------------------------------------------

    def _pump(self, seconds: float) -> None:
        """Let Playwright deliver events for about ``seconds``."""
        for page in self._pages():
            try:
                page.wait_for_timeout(max(1.0, seconds * 1000))
                return
            except Error:
                continue
        time.sleep(seconds)

    def watch(self, seconds: float) -> list[Event]:
        """Keep watching for ``seconds``; returns the events seen during that time."""
        start = len(self.events)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._pump(min(0.1, left))
        return self.events[start:]

    def _settle(self, event: Event, seconds: float) -> None:
        """Give the top page a moment to confirm the event's overlay."""
        until = time.monotonic() + seconds
        while any(e is event for e in self._awaiting.values()) and time.monotonic() < until:
            self._pump(0.02)

    def wait_for_event(self, rule: str | None = None, timeout: float = 10.0) -> Event:
        """The first event (of ``rule``, or ``"unknown"``, or any) not returned before.

        ``timeout`` is in seconds; raises :class:`~interceptor.errors.CompanionTimeout`.
        """
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if index in self._returned:
                    continue
                if rule is None or event.rule == rule or (rule == "unknown" and event.rule is None):
                    self._returned.add(index)
                    self._settle(event, min(2.0, max(0.2, deadline - time.monotonic())))
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                wanted = f"rule {rule!r}" if rule else "any error"
                seen = ", ".join(str(e.rule or "unknown") for e in self.events) or "none"
                raise CompanionTimeout(
                    f"No event for {wanted} arrived within {timeout:g} s (events so far: {seen})."
                )
            self._pump(min(0.05, left))

    # --- the three channels ----------------------------------------------------------

    def _on_report(self, source: dict[str, Any], payload: Any) -> dict[str, Any] | None:
        """Called by watcher.js in any frame with a candidate text.

        The answer carries the overlay cards to draw: the reporting frame hands them to the
        top page itself, which saves a second round trip through Playwright (the top page
        then confirms with a ``shown`` report).
        """
        if self._closed or not isinstance(payload, dict):
            return None
        if payload.get("channel") == "shown":
            self._settled(str(payload.get("key")), bool(payload.get("ok")))
            return None
        cards: list[dict[str, Any]] = []
        try:
            text = str(payload.get("text") or "")[:MAX_TEXT].strip()
            title = str(payload.get("title") or "")[:200]
            channel = payload.get("channel")
            level = payload.get("level")
            if not text:
                return None
            matches = self._classify(text)
            if not matches and title:
                matches = self._classify(f"{title}：{text}")
            frame = source.get("frame")
            page = source.get("page")
            frame_url = _frame_url(frame)
            kind = str(payload.get("kind") or channel or "")
            found: list[Match | None] = list(matches)
            # Page text outside banners may only raise known errors: menus and labels
            # mention the same words.
            # Unknown errors come only from banners: styled as errors, or short and worded
            # like one (a long unstyled panel is more likely a page than a message).
            styled_error = level == "error" and not looks_like_success(text)
            worded_error = level == "plain" and len(text) <= MAX_PLAIN and looks_like_error(text)
            if not found and channel == "banner" and (styled_error or worded_error):
                found = [None]
            for match in found:
                card = self._record("dom", text, match, frame_url, page, kind, draw="reply")
                if card is not None:
                    cards.append(card)
        except Exception as exc:  # a bug here must not break the person's session
            logger.debug("interceptor: report failed: {}", exc)
        return {"show": cards} if cards else None

    def _on_dialog(self, dialog: Dialog) -> None:
        if self._closed:
            return
        try:
            message = (dialog.message or "").strip()[:MAX_TEXT]
            kind = dialog.type
            page = dialog.page
            frame_url = page.url if page is not None else ""
        except Exception:
            message, kind, page, frame_url = "", "dialog", None, ""
        if self.dialogs == "accept":
            # A prompt keeps its suggested value, as if the person had pressed 确定.
            _quietly(lambda: dialog.accept(dialog.default_value) if kind == "prompt" else dialog.accept())
        elif self.dialogs == "dismiss":
            _quietly(dialog.dismiss)
        # "leave": a listener that does not answer keeps Playwright from dismissing the
        # dialog, so the person answers it in the headed browser.
        if not message or kind == "beforeunload":
            return
        try:
            matches = self._classify(message)
            # An open dialog would hold an evaluate until the person answers it.
            draw: Draw = "later" if self.dialogs == "leave" else "now"
            if matches:
                for match in matches:
                    self._record("dialog", message, match, frame_url, page, kind, draw=draw)
            elif (kind == "alert" and not looks_like_success(message)) or looks_like_error(message):
                self._record("dialog", message, None, frame_url, page, kind, draw=draw)
        except Exception as exc:
            logger.debug("interceptor: dialog handling failed: {}", exc)

    def _on_response(self, response: Response) -> None:
        if self._closed:
            return
        try:
            content_type = (response.headers.get("content-type") or "").lower()
            if "json" not in content_type:
                return
            status = response.status
            frame = response.frame
        except Exception:
            return
        # The body is fetched without blocking this listener: a response the page never
        # reads never finishes, and a blocked listener would hold up the ones after it.
        _call_later(response, lambda impl: impl.body(), lambda body: self._on_body(status, body, frame))

    def _on_body(self, status: int, body: Any, frame: Any) -> None:
        if self._closed or not isinstance(body, bytes) or len(body) > MAX_BODY:
            return
        try:
            data = json.loads(body.decode("utf-8", errors="replace"))
        except ValueError:
            return
        text = api_error_text(status, data)
        if not text:
            return
        try:
            page = frame.page
            frame_url = _frame_url(frame)
            # Runs as a plain callback of Playwright's loop, where sync calls cannot
            # block: the overlay is drawn the non-blocking way.
            matches = self._classify(text)
            if matches:
                for match in matches:
                    self._record("network", text, match, frame_url, page, "api", draw="later")
            else:
                self._record("network", text, None, frame_url, page, "api", draw="later")
        except Exception as exc:
            logger.debug("interceptor: response handling failed: {}", exc)

    # --- classification, dedup, overlay ----------------------------------------------

    def _classify(self, text: str) -> list[Match]:
        found = self.rules.find_all(text)
        # One event per rule and capture set: a list of row errors can name one rule twice.
        unique: dict[tuple[str, str], Match] = {}
        for match in found:
            unique.setdefault((match.rule.id, json.dumps(match.captures, sort_keys=True)), match)
        return list(unique.values())

    def _is_duplicate(self, key: str, norm: str, now: float) -> bool:
        self._recent = [r for r in self._recent if now - r[0] < DEDUP_SECONDS]
        for index, (_, seen_key, seen_norm) in enumerate(self._recent):
            same = seen_key == key
            if not same and key.startswith("?") and seen_key.startswith("?"):
                # Unknown errors: the toast often wraps the API message ("获取…失败:" + msg).
                same = bool(norm) and bool(seen_norm) and (norm in seen_norm or seen_norm in norm)
            if same:
                self._recent[index] = (now, seen_key, seen_norm)
                return True
        return False

    def _record(
        self,
        source: Source,
        text: str,
        match: Match | None,
        frame_url: str,
        page: Page | None,
        kind: str,
        *,
        draw: Draw = "now",
    ) -> dict[str, Any] | None:
        """Make an event unless it repeats a recent one, and have its overlay drawn.

        ``draw``: "now" evaluates in the top page and waits; "later" starts that evaluate
        without waiting (open dialogs, loop callbacks); "reply" returns the card for the
        reporting frame to hand to the top page. Returns the card for "reply", else None.
        """
        now = time.monotonic()
        norm = normalize(text)
        if match is not None:
            key = f"{match.rule.id}|{json.dumps(match.captures, sort_keys=True)}"
        else:
            key = f"?{norm}"
        if self._is_duplicate(key, norm, now):
            return None
        self._recent.append((now, key, norm))
        event = Event(
            source=source,
            text=text,
            rule=match.rule.id if match else None,
            captures=dict(match.captures) if match else {},
            frame_url=frame_url,
            title=match.rule.title if match else None,
            kind=kind,
        )
        card_key = str(next(self._keys))
        card: dict[str, Any] = {
            "key": card_key,
            "rule": event.rule,
            "title": event.title,
            "remedy": match.rule.to_dict().get("remedy", {}) if match else {},
            "text": text,
            "source": source,
            "frame_url": frame_url,
        }
        if draw == "reply":
            self._awaiting[card_key] = event
            self._unlogged[card_key] = event
            self._publish(event, log=False)
            return card
        if draw == "later":
            self._unlogged[card_key] = event
            self._publish(event, log=False)
            if page is not None:
                _evaluate_later(page, SHOW_OVERLAY, card, lambda ok: self._settled(card_key, ok))
            return None
        if page is not None and not page.is_closed():
            try:
                event.overlay = bool(page.evaluate(SHOW_OVERLAY, card))
            except Error:
                event.overlay = False
        self._publish(event)
        return None

    def _settled(self, card_key: str, shown: bool) -> None:
        """The overlay of an event was drawn (or could not be): record it and log the event."""
        self._awaiting.pop(card_key, None)
        event = self._unlogged.pop(card_key, None)
        if event is not None:
            event.overlay = shown
            self._write_log(event)

    def _write_log(self, event: Event) -> None:
        if self.log is not None:
            try:
                self.log.write(event.to_dict())
            except Exception as exc:
                logger.debug("interceptor: event log failed: {}", exc)

    def _publish(self, event: Event, *, log: bool = True) -> None:
        self.events.append(event)
        if log:
            self._write_log(event)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception as exc:
                logger.debug("interceptor: on_event callback failed: {}", exc)


def attach(
    target: Page | BrowserContext,
    *,
    rules: RuleSet | None = None,
    dialogs: DialogMode = "accept",
    log: Path | str | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> Companion:
    """Watch ``target`` (a sync Playwright Page, or a BrowserContext with all its pages).

    ``dialogs``: ``"accept"`` or ``"dismiss"`` answers native dialogs (headless runs);
    ``"leave"`` records them and lets the person answer. ``log`` appends every event as a
    JSON line with personal data masked; ``on_event`` is called with each new event.
    """
    return Companion(target, rules=rules, dialogs=dialogs, log=log, on_event=on_event)


def _frame_url(frame: Any) -> str:
    try:
        return str(frame.url) if frame is not None else ""
    except Exception:
        return ""


def _quietly(answer: Callable[[], None]) -> None:
    with contextlib.suppress(Error):  # someone else answered it first, or the page is gone
        answer()


def _call_later(obj: Any, make: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
    """Start an async call on the object behind a sync wrapper and pass its result to ``done``.

    The sync API has no call that returns without waiting; this goes through the async
    object behind the wrapper, on Playwright's own loop. Failures (page closed) are dropped.
    """
    impl: Any = getattr(obj, "_impl_obj", None)
    loop: Any = getattr(obj, "_loop", None)
    if impl is None or loop is None:
        return

    def finished(task: Any) -> None:
        if task.cancelled() or task.exception() is not None:
            return
        try:
            done(task.result())
        except Exception as exc:
            logger.debug("interceptor: callback failed: {}", exc)

    try:
        task = loop.create_task(make(impl))
        task.add_done_callback(finished)
    except Exception as exc:
        logger.debug("interceptor: could not start a call: {}", exc)


def _evaluate_later(page: Page, expression: str, arg: Any, done: Callable[[bool], None]) -> None:
    """``page.evaluate`` without waiting: for an open dialog, or inside a loop callback."""
    _call_later(page, lambda impl: impl.evaluate(expression, arg), lambda result: done(bool(result)))
