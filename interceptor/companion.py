"""The live companion: watch a Playwright page or context, classify errors, show remedies.

``attach(target)`` installs the in-page watcher (``interceptor/watcher/*.js``) in every frame,
listens to native dialogs and to the site's JSON responses, and classifies every candidate
text with the one :class:`~interceptor.classify.RuleSet`. Each error becomes an
:class:`Event`; the top-level page then shows its remedy in an overlay.

Playwright's sync API delivers our callbacks only while the calling thread is inside a
Playwright call, so a script that just wants to watch calls :meth:`Companion.watch` or
:meth:`Companion.wait_for_event`, which keep the event loop turning.

Over 400 lines because it is the one place where the three channels (watcher reports,
dialogs, responses) meet the pages, popups and frames they come from; everything that can
stand alone lives beside it: ``channel`` (the CDP session and isolated world), ``events``
(the event, repeats, the card), ``messages`` (what reads as an error), ``origins`` and
``limits`` (who may report, and how much).
"""

from __future__ import annotations

import contextlib
import json
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from loguru import logger
from playwright.sync_api import BrowserContext, Dialog, Error, Frame, Page, Response

from .browser import pump
from .channel import Channel, PageChannel
from .classify import Match, RuleSet, load_rules
from .errors import CompanionTimeout, InterceptorError
from .eventlog import EventLog
from .events import Event, Recent, Source, card_for, fold_key
from .limits import RateLimiter, ReportLimits
from .messages import MAX_TEXT, api_error_text, looks_like_error, looks_like_success
from .normalize import normalize
from .origins import OriginPolicy
from .protocol import Level, ReportChannel
from .watcher import bundle

__all__ = [
    "DEDUP_SECONDS",
    "MAX_EVENTS",
    "Companion",
    "DialogMode",
    "Event",
    "api_error_text",
    "attach",
    "fold_key",
    "looks_like_error",
    "looks_like_success",
]

DialogMode = Literal["accept", "dismiss", "leave"]

# Targets with a companion attached: a second one would report everything twice. Weak, so a
# page or context that is gone (closed without closing its companion) is forgotten.
_ATTACHED: weakref.WeakSet[Page | BrowserContext] = weakref.WeakSet()

# The same error seen through several channels (its API response, then its toast) within
# this many seconds is one event; seen again later, it is a new one.
DEDUP_SECONDS = 2.0
MAX_PLAIN = 300  # longest unstyled banner text that may raise an unknown error
MAX_BODY = 2_000_000
# A flood (a page calling the binding thousands of times) is cut down to these rates; an
# honest watcher reports a handful of texts per error.
REPORT_RATE, REPORT_BURST = 20.0, 60.0  # per document
TOTAL_RATE, TOTAL_BURST = 60.0, 150.0  # all frames together
MAX_EVENTS = 1000  # events kept in memory (the log keeps them all)
MAX_RECENT = 200  # texts remembered for the 2-second de-duplication
MAX_DRAWING = 20  # cards waiting to be drawn (e.g. behind an open dialog)
# How long an API error waits for the page to show it before its card says the hall did not.
HIDDEN_WAIT = 1.5



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
        origins: Iterable[str] | None = None,
    ) -> None:
        if dialogs not in ("accept", "dismiss", "leave"):
            raise InterceptorError(f"dialogs must be 'accept', 'dismiss' or 'leave', not {dialogs!r}.")
        self.target = target
        self.rules = rules if rules is not None else load_rules()
        self.dialogs: DialogMode = dialogs
        self.origins = OriginPolicy(origins)
        self.events: list[Event] = []
        self.on_event = on_event
        self.log = EventLog(log) if log is not None else None
        self._trimmed = 0  # events dropped from the front of self.events
        self._recent = Recent(DEDUP_SECONDS, MAX_RECENT)
        self._returned: set[int] = set()  # id() of events already handed out by wait_for_event
        self._limits = ReportLimits(
            RateLimiter(rate=REPORT_RATE, burst=REPORT_BURST, total_rate=TOTAL_RATE, total_burst=TOTAL_BURST),
            log=self.log,
        )
        self._channels: dict[Page, PageChannel] = {}
        self._frame_channels: dict[Frame, Channel | None] = {}  # out-of-process frames
        self._settled_pages: dict[Page, bool] = {}  # first navigation seen with our channel open
        self._drawing = 0
        self._closed = False
        self._script = bundle(self.rules.watch_config())
        self._install()

    # --- installation ----------------------------------------------------------------

    def _install(self) -> None:
        target = self.target
        if isinstance(target, Page):
            taken = target in _ATTACHED or target.context in _ATTACHED
        else:
            taken = target in _ATTACHED or any(p in _ATTACHED for p in target.pages)
        if taken:
            raise InterceptorError(
                "A companion is already attached to this page or its context; attach once, "
                "to the context if several pages must be watched."
            )
        _ATTACHED.add(target)
        target.on("dialog", self._on_dialog)
        target.on("response", self._on_response)
        if isinstance(target, BrowserContext):
            target.on("page", self._on_page)  # new tabs, popups, windows of the context
        for page in self._pages():
            self._on_page(page)

    def _on_page(self, page: Page) -> None:
        """Watch ``page``: our world in its frames, its popups, its out-of-process frames."""
        if self._closed or page in self._channels or page.is_closed():
            return
        channel = self._channels[page] = PageChannel(page, self._script, self._on_report)
        try:
            channel.open()
        except Error as exc:
            logger.debug("interceptor: cannot watch {}: {}", page.url, exc)
            self._channels.pop(page, None)
            return
        page.on("framenavigated", self._on_frame)
        page.on("close", self._on_close)
        if isinstance(self.target, Page):
            # A watched page's popups and target=_blank tabs are watched too (a context
            # target sees them through its "page" event).
            page.on("popup", self._on_page)
        for frame in page.frames[1:]:
            self._on_frame(frame)

    def _on_frame(self, frame: Frame) -> None:
        """A frame navigated. A new document of the page's own process gets the watcher from
        the page's channel (this makes sure of it when the first navigation raced our
        set-up); an iframe of another site runs in a process of its own, out of the page's
        CDP session, and gets a session of its own."""
        if self._closed:
            return
        if frame.parent_frame is None:
            own = self._channels.get(frame.page)
            if own is not None and not self._settled_pages.get(frame.page):
                own.ensure_watchers()
                self._settled_pages[frame.page] = True
            return
        if frame in self._frame_channels:
            return
        self._frame_channels[frame] = None
        channel = Channel(frame, frame.page, self._script, self._on_report)
        try:
            channel.open()
        except Error:
            return  # a frame in its parent's process: the page's session covers it
        self._frame_channels[frame] = channel

    def _on_close(self, page: Page) -> None:
        self._settled_pages.pop(page, None)
        channel = self._channels.pop(page, None)
        if channel is not None:
            channel.detach()
        for frame in [f for f in self._frame_channels if f.page is page]:
            gone = self._frame_channels.pop(frame)
            if gone is not None:
                gone.detach()

    def _pages(self) -> list[Page]:
        if isinstance(self.target, Page):
            return [] if self.target.is_closed() else [self.target]
        return [p for p in self.target.pages if not p.is_closed()]

    def overlay(self, page: Page) -> PageChannel:
        """The channel of a watched ``page``: its remedy cards (``cards()``, ``clear()`` …)."""
        channel = self._channels.get(page)
        if channel is None:
            raise InterceptorError("This page is not watched by this companion.")
        return channel

    def close(self) -> None:
        """Stop reporting; the browser and its pages stay as they are (and so do their cards)."""
        if self._closed:
            return
        self._closed = True
        _ATTACHED.discard(self.target)
        for event_name, handler in (("dialog", self._on_dialog), ("response", self._on_response),
                                    ("page", self._on_page)):
            with contextlib.suppress(Exception):  # the target may already be closed
                self.target.remove_listener(event_name, handler)
        for page in list(self._channels):
            listeners: list[tuple[str, Callable[..., None]]] = [
                ("framenavigated", self._on_frame), ("close", self._on_close), ("popup", self._on_page)
            ]
            for name, listener in listeners:
                with contextlib.suppress(Exception):
                    page.remove_listener(name, listener)
        self._limits.flush(force=True)
        for channel in [*self._channels.values(), *self._frame_channels.values()]:
            if channel is not None:
                channel.detach()
        self._channels.clear()
        self._frame_channels.clear()
        if self.log is not None:
            self.log.close()

    def __enter__(self) -> Companion:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- waiting ---------------------------------------------------------------------

    def _pump(self, seconds: float) -> None:
        """Let Playwright deliver events for about ``seconds``."""
        if not pump(self._pages(), seconds):
            time.sleep(seconds)  # no page open: there is nothing to deliver

    def watch(self, seconds: float) -> list[Event]:
        """Keep watching for ``seconds``; returns the events seen during that time."""
        start = self._trimmed + len(self.events)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._pump(min(0.1, left))
        return self.events[max(0, start - self._trimmed):]

    def wait_for_event(self, rule: str | None = None, timeout: float = 10.0) -> Event:
        """The first event (of ``rule``, or ``"unknown"``, or any) not returned before.

        ``timeout`` is in seconds; raises :class:`~interceptor.errors.CompanionTimeout`.
        Its card is given up to two seconds to be drawn (``overlay`` True or False); behind
        a dialog left open for the person it stays None until the person answers.
        """
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if id(event) in self._returned:
                    continue
                if rule is None or event.rule == rule or (rule == "unknown" and event.rule is None):
                    self._returned.add(id(event))
                    settle = time.monotonic() + min(2.0, max(0.2, deadline - time.monotonic()))
                    while event.overlay is None and time.monotonic() < settle:
                        self._pump(0.02)
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                wanted = f"rule {rule!r}" if rule else "any error"
                seen = ", ".join(str(e.rule or "unknown") for e in self.events) or "none"
                raise CompanionTimeout(
                    f"No event for {wanted} arrived within {timeout:g} s (events so far: {seen})."
                )
            self._pump(min(0.05, left))

    # --- who may report ----------------------------------------------------------------

    def _admits(self, frame: Frame | None) -> bool:
        """Whether a dialog or response of ``frame`` counts (reports of our watcher carry
        their document's own origin instead)."""
        return frame is not None and self.origins.admits_frame(frame)

    def _within_rate(self, where: str) -> bool:
        return self._limits.allow(where)

    def _note_drops(self, where: str, count: int) -> None:
        self._limits.lost(where, count)

    @property
    def dropped(self) -> int:
        """Reports refused by the rate limits (a flooding page)."""
        return self._limits.dropped

    # --- the three channels ----------------------------------------------------------

    def _on_report(self, page: Page, payload: dict[str, Any]) -> None:
        """Called with what our watcher sent from a frame of ``page`` (through our channel,
        which the page cannot reach; its fields are still checked like any input)."""
        if self._closed:
            return
        try:
            href = payload.get("href")
            href = href[:2000] if isinstance(href, str) else ""
            if not self.origins.allows(payload.get("origin") if isinstance(payload.get("origin"), str) else None):
                return
            lost = payload.get("lost")
            if isinstance(lost, int) and lost > 0:
                self._note_drops(href, lost)  # the watcher's own limit held these back
            if not self._within_rate(href):
                return
            channel = payload.get("channel")
            if channel == ReportChannel.ESCAPE:
                self.overlay(page).close_newest()
                return
            text = payload.get("text")
            title = payload.get("title")
            level = payload.get("level")
            if not isinstance(text, str) or not text.strip():
                return
            text = text[:MAX_TEXT].strip()
            title = title[:200] if isinstance(title, str) else ""
            matches = self._classify(text)
            if not matches and title:
                matches = self._classify(f"{title}：{text}")
            kind = payload.get("kind") or channel or ""
            kind = kind[:40] if isinstance(kind, str) else ""
            found: list[Match | None] = list(matches)
            # Page text outside banners may only raise known errors: menus and labels
            # mention the same words.
            # Unknown errors come only from banners: styled as errors, or short and worded
            # like one (a long unstyled panel is more likely a page than a message).
            styled_error = level == Level.ERROR and not looks_like_success(text)
            worded_error = level == Level.PLAIN and len(text) <= MAX_PLAIN and looks_like_error(text)
            if not found and channel == ReportChannel.BANNER and (styled_error or worded_error):
                found = [None]
            for match in found:
                self._record("dom", text, match, href, page, kind)
        except Exception as exc:  # a bug here must not break the person's session
            logger.debug("interceptor: report failed: {}", exc)

    def _on_dialog(self, dialog: Dialog) -> None:
        if self._closed:
            return
        try:
            message = (dialog.message or "").strip()[:MAX_TEXT]
            kind = dialog.type
            page = dialog.page
            frame_url = page.url if page is not None else ""
            allowed = page is not None and self._admits(page.main_frame) and self._within_rate(page.url)
        except Exception:
            message, kind, page, frame_url, allowed = "", "dialog", None, "", False
        if self.dialogs == "accept":
            # A prompt keeps its suggested value, as if the person had pressed 确定.
            _quietly(lambda: dialog.accept(dialog.default_value) if kind == "prompt" else dialog.accept())
        elif self.dialogs == "dismiss":
            _quietly(dialog.dismiss)
        # "leave": a listener that does not answer keeps Playwright from dismissing the
        # dialog, so the person answers it in the headed browser.
        if not message or kind == "beforeunload" or not allowed:
            return
        try:
            matches = self._classify(message)
            # With the dialog still open ("leave"), the card is drawn once the person has
            # answered it: the page's script is paused until then.
            defer = self.dialogs == "leave"
            if matches:
                for match in matches:
                    self._record("dialog", message, match, frame_url, page, kind, defer=defer)
            elif (kind == "alert" and not looks_like_success(message)) or looks_like_error(message):
                self._record("dialog", message, None, frame_url, page, kind, defer=defer)
        except Exception as exc:
            logger.debug("interceptor: dialog handling failed: {}", exc)

    def _on_response(self, response: Response) -> None:
        # Each listener runs in a greenlet of its own under the sync API, so waiting for the
        # body here holds up neither Playwright's loop nor the other listeners.
        if self._closed:
            return
        try:
            headers = response.headers
            if "json" not in (headers.get("content-type") or "").lower():
                return
            length = headers.get("content-length")
            if length is not None and (not length.strip().isdigit() or int(length) > MAX_BODY):
                return  # not read at all: too big to be an error message
            frame = response.frame
            if not self._admits(frame) or not self._within_rate(frame.url):
                return
            status = response.status
            body = response.body()
        except Exception:
            return  # no body (redirect, aborted, page gone)
        self._on_body(status, body, frame)

    def _on_body(self, status: int, body: bytes, frame: Frame) -> None:
        if self._closed or len(body) > MAX_BODY:
            return
        try:
            data = json.loads(body.decode("utf-8", errors="replace"))
        except (ValueError, RecursionError):
            return
        text = api_error_text(status, data)
        if not text:
            return
        try:
            page = frame.page
            frame_url = _frame_url(frame)
            matches = self._classify(text)
            if matches:
                for match in matches:
                    self._record("network", text, match, frame_url, page, "api")
            else:
                self._record("network", text, None, frame_url, page, "api")
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

    def _wait_for_sighting(self, key: str, page: Page) -> bool:
        """Whether the page shows the error of ``key`` (as a banner or dialog) within
        HIDDEN_WAIT seconds. Runs in the response's own greenlet, which may wait."""
        deadline = time.monotonic() + HIDDEN_WAIT
        while not self._recent.was_sighted(key) and time.monotonic() < deadline and not page.is_closed():
            try:
                page.wait_for_timeout(100)
            except Error:
                break
        return self._recent.take_sighting(key)

    def _record(
        self,
        source: Source,
        text: str,
        match: Match | None,
        frame_url: str,
        page: Page | None,
        kind: str,
        *,
        defer: bool = False,
    ) -> None:
        """Make an event unless it repeats a recent one, and draw its card in the top page.

        ``defer``: the page is paused by a dialog the person has yet to answer, so the card is
        drawn (and the event logged) once it is answered, without blocking the caller.
        """
        now = time.monotonic()
        norm = normalize(text)
        if match is not None:
            key = f"{match.rule.id}|{json.dumps(match.captures, sort_keys=True)}"
        else:
            key = f"?{norm}"
        repeated = self._recent.repeat_of(key, norm, now)
        if repeated is not None:
            if source != "network":
                self._recent.sighted(repeated)  # an API error the page did show
            return
        self._recent.add(key, norm, now)
        event = Event(
            source=source,
            text=text,
            rule=match.rule.id if match else None,
            captures=dict(match.captures) if match else {},
            frame_url=frame_url,
            title=match.rule.title if match else None,
            kind=kind,
            severity=match.rule.severity if match else "error",
        )
        # Handed out at once (launch prints it); logged once its card is settled, so the log
        # says truthfully whether a remedy was shown. ``overlay`` is None until then.
        event.overlay = None
        self._publish(event)
        channel = self._channels.get(page) if page is not None else None
        if source == "network" and page is not None and channel is not None:
            event.hidden = not self._wait_for_sighting(key, page)
        if channel is None or page is None or page.is_closed() or self._drawing >= MAX_DRAWING:
            self._settled(event, False)
        elif defer:
            channel.defer(card_for(event, match, page.url), lambda shown: self._settled(event, shown))
        else:
            self._drawing += 1
            try:
                shown = channel.show(card_for(event, match, page.url))
            finally:
                self._drawing -= 1
            self._settled(event, shown)

    def _settled(self, event: Event, shown: bool) -> None:
        event.overlay = shown
        self._write_log(event)

    def _write_log(self, event: Event) -> None:
        if self.log is not None:
            try:
                self.log.write(event.to_dict())
            except Exception as exc:
                logger.debug("interceptor: event log failed: {}", exc)

    def _publish(self, event: Event) -> None:
        self.events.append(event)
        if len(self.events) > MAX_EVENTS:
            gone = self.events[: len(self.events) - MAX_EVENTS]
            del self.events[: len(gone)]
            self._trimmed += len(gone)
            for old in gone:
                self._returned.discard(id(old))
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
    origins: Iterable[str] | None = None,
) -> Companion:
    """Watch ``target`` (a sync Playwright Page, or a BrowserContext with all its pages).

    ``dialogs``: ``"accept"`` or ``"dismiss"`` answers native dialogs (headless runs);
    ``"leave"`` records them and lets the person answer. ``log`` appends every event as a
    JSON line with personal data masked; ``on_event`` is called with each new event.
    ``origins``: the origins whose pages and frames may report (see
    :mod:`interceptor.origins`); None watches every web origin.
    """
    return Companion(target, rules=rules, dialogs=dialogs, log=log, on_event=on_event, origins=origins)


def _frame_url(frame: Any) -> str:
    try:
        return str(frame.url) if frame is not None else ""
    except Exception:
        return ""


def _quietly(answer: Callable[[], None]) -> None:
    with contextlib.suppress(Error):  # someone else answered it first, or the page is gone
        answer()
