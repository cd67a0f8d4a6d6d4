"""The companion's own channel into a page: a CDP session and an isolated world.

The watcher (``watcher/watcher.js``) and the overlay (``watcher/overlay.js``) run in an
isolated world of every frame, the mechanism browser extensions use for their content
scripts: it shares the DOM with the page but none of its JavaScript. The page's scripts, and
those of every frame in it, cannot call our report binding (it exists only in our world),
cannot call or patch the overlay, and cannot read the cards, whose shadow roots are closed.
Cards are drawn by Python alone, built from the rule table; nothing a page sends becomes
card content.

Everything goes through Playwright's public ``BrowserContext.new_cdp_session`` (Chromium):
one session per page, and one per out-of-process frame (a cross-site iframe), whose
documents the page's session cannot reach.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from loguru import logger
from playwright.sync_api import CDPSession, Error, Frame, Page

from .protocol import BINDING, OVERLAY_METHODS, WORLD, Card
from .watcher import hook_bundle, script

MAX_PAYLOAD = 20_000  # characters of one report (the watcher sends at most ~1,000 of text)
MAX_PENDING = 20  # cards waiting for a dialog to close

Report = Callable[[Page, dict[str, Any]], None]

# Calls a method of the overlay object in our world; ``missing`` says the world has no
# overlay yet (a document that predates us) and it must be installed first.
_CALL = """function (name, args) {
  var overlay = globalThis.__interceptorOverlay;
  if (!overlay) return { missing: true };
  return { value: overlay[name].apply(null, args) };
}"""


class Channel:
    """A CDP session on one target (a page, or an out-of-process frame) with our world in it."""

    def __init__(self, target: Page | Frame, page: Page, bundle: str, on_report: Report) -> None:
        self.target = target
        self.page = page
        self.bundle = bundle
        self.on_report = on_report
        self.dropped = 0  # reports too large to read
        self._session: CDPSession | None = None

    @property
    def session(self) -> CDPSession:
        if self._session is None:
            raise Error("The channel is not open.")
        return self._session

    def open(self) -> None:
        """Start watching. Reports may arrive before this returns: keep the channel where
        they are looked for (the companion's table) before calling it."""
        target, bundle = self.target, self.bundle
        self._session = self.page.context.new_cdp_session(target)
        self.session.on("Runtime.bindingCalled", self._on_binding)
        # Page: run our script in every new document; Runtime: deliver binding calls.
        self.session.send("Page.enable")
        self.session.send("Runtime.enable")
        self.session.send("Runtime.addBinding", {"name": BINDING, "executionContextName": WORLD})
        self.session.send("Page.addScriptToEvaluateOnNewDocument", {"source": bundle, "worldName": WORLD})
        # The page's world gets only the announcer of shadow roots (see shadow-hook.js).
        self.session.send("Page.addScriptToEvaluateOnNewDocument", {"source": hook_bundle()})
        # Documents already loaded missed that: start the watcher in each of them now.
        self.ensure_watchers()

    def ensure_watchers(self) -> None:
        """Start the watcher in every document of this target that lacks it: those loaded
        before we attached, and a first navigation that raced our set-up (a new tab starts
        loading while its channel is still being opened). It starts only once per document,
        so calling this again costs a few round trips."""
        if self._session is None:
            return
        with contextlib.suppress(Error):
            for frame_id in self._frame_ids():
                with contextlib.suppress(Error):
                    context = self._world(frame_id)
                    self.session.send("Runtime.evaluate", {"expression": self.bundle, "contextId": context})
        # shadow-hook.js is left to new documents (the init script): a Playwright evaluate in a
        # frame that never gets its context would wait for ever, and custom elements' shadow
        # roots are found without it anyway.

    def _frame_ids(self) -> list[str]:
        ids: list[str] = []
        stack = [self.session.send("Page.getFrameTree")["frameTree"]]
        while stack:
            node = stack.pop()
            ids.append(str(node["frame"]["id"]))
            stack.extend(node.get("childFrames") or [])
        return ids

    def _world(self, frame_id: str) -> int:
        # The world of this name in the frame's current document, made on first use.
        world = self.session.send("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": WORLD})
        return int(world["executionContextId"])

    def _on_binding(self, params: dict[str, Any]) -> None:
        if params.get("name") != BINDING:
            return
        payload = params.get("payload")
        if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
            self.dropped += 1
            return
        try:
            data = json.loads(payload)
        except ValueError:
            return
        if isinstance(data, dict):
            self.on_report(self.page, data)

    def detach(self) -> None:
        if self._session is not None:
            with contextlib.suppress(Exception):
                self._session.detach()


class PageChannel(Channel):
    """The channel of a page: its watcher reports, and the remedy overlay in its top frame."""

    def __init__(self, page: Page, bundle: str, on_report: Report) -> None:
        # Cards of dialogs left open for the person: the page (and so our world) is paused
        # until the person answers, so they are drawn when the dialog closes.
        self._pending: list[tuple[Card, Callable[[bool], None]]] = []
        self._main_frame: str | None = None
        super().__init__(page, page, bundle, on_report)

    def open(self) -> None:
        super().open()
        self.session.on("Page.javascriptDialogClosed", lambda _params: self.drain())

    # --- the overlay -----------------------------------------------------------------

    def show(self, card: Card) -> bool:
        """Draw ``card``; True when it is on the page. Blocks while a dialog is open."""
        self.drain()
        return bool(self.call("show", card))

    def defer(self, card: Card, done: Callable[[bool], None]) -> None:
        """Draw ``card`` once the page's open dialog is answered; ``done(shown)`` follows.

        For a dialog listener, which must not block: the listeners after it (and
        Playwright's own dialog handling) wait for it.
        """
        if len(self._pending) >= MAX_PENDING:
            done(False)
            return
        self._pending.append((card, done))

    def drain(self) -> None:
        """Draw the cards that waited for a dialog (in the caller's greenlet, which may block)."""
        while self._pending:
            card, done = self._pending.pop(0)
            shown = bool(self.call("show", card))
            with contextlib.suppress(Exception):
                done(shown)

    def close_newest(self) -> None:
        self.call("closeNewest")

    def clear(self) -> None:
        self.call("clear")

    def cards(self) -> list[dict[str, Any]]:
        """The cards on the page, newest first: rule, key, text, boxes (for tests and tools)."""
        found = self.call("describe")
        return list(found) if isinstance(found, list) else []

    def dock(self) -> dict[str, Any]:
        """The dock: collapsed to its tab or not, the 还有 N 条 line, their boxes."""
        found = self.call("dock")
        return dict(found) if isinstance(found, dict) else {}

    def call(self, name: str, *args: Any) -> Any:
        """Call ``globalThis.__interceptorOverlay[name](*args)`` in our world of the top frame."""
        if name not in OVERLAY_METHODS:
            raise ValueError(f"overlay.js has no method {name!r}")
        if self._session is None or self.page.is_closed():
            return None
        try:
            if self._main_frame is None:
                self._main_frame = self._frame_ids()[0]
            context = self._world(self._main_frame)
            reply = self._invoke(context, name, list(args))
            if reply.get("missing"):
                self.session.send("Runtime.evaluate", {"expression": script("overlay.js"), "contextId": context})
                reply = self._invoke(context, name, list(args))
            return reply.get("value")
        except Error as exc:
            logger.debug("interceptor: overlay call {} failed: {}", name, exc)
            self._main_frame = None
            return None

    def watcher_value(self, expression: str) -> Any:
        """Evaluate ``expression`` in our world of the top frame (benchmarks and tests)."""
        if self._main_frame is None:
            self._main_frame = self._frame_ids()[0]
        reply = self.session.send(
            "Runtime.evaluate",
            {"expression": expression, "contextId": self._world(self._main_frame), "returnByValue": True},
        )
        return reply.get("result", {}).get("value")

    def _invoke(self, context: int, name: str, args: list[Any]) -> dict[str, Any]:
        reply = self.session.send(
            "Runtime.callFunctionOn",
            {
                "functionDeclaration": _CALL,
                "executionContextId": context,
                "arguments": [{"value": name}, {"value": args}],
                "returnByValue": True,
            },
        )
        if "exceptionDetails" in reply:
            raise Error(str(reply["exceptionDetails"].get("text", "overlay script failed")))
        value = reply.get("result", {}).get("value")
        return value if isinstance(value, dict) else {}
