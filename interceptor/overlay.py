"""The remedy overlay of one page, drawn by Python and by nobody else.

Cards are drawn through a CDP session (Playwright's public ``new_cdp_session``) into an
isolated world of the page's top frame, the same mechanism browser extensions use for their
content scripts: it shares the DOM with the page but not its JavaScript. The page's scripts,
and those of every frame in it, can neither call the overlay nor patch what it uses, and the
cards' shadow roots are closed, so a page can neither forge a remedy nor read or rewrite one.
Nothing a page sends us (binding reports, messages) ever becomes card content: the card is
built in Python from the rule table.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from loguru import logger
from playwright.sync_api import CDPSession, Error, Page

from .watcher import script

WORLD = "interceptor-overlay"
# Calls a method of the overlay object in our world; ``missing`` says the world is new (a
# new document) and the script must be installed first.
_CALL = """function (name, args) {
  var overlay = globalThis.__interceptorOverlay;
  if (!overlay) return { missing: true };
  return { value: overlay[name].apply(null, args) };
}"""


class Overlay:
    """Draws and inspects the remedy cards of ``page`` (Chromium only)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._session: CDPSession | None = None
        self._frame_id: str | None = None
        # Cards of dialogs left open for the person: the page (and so our world) is paused
        # until the person answers, so they are drawn when the dialog closes.
        self._pending: list[tuple[dict[str, Any], Callable[[bool], None]]] = []
        self._listening = False

    def show(self, card: dict[str, Any]) -> bool:
        """Draw ``card``; True when it is on the page. Blocks while a dialog is open."""
        self.drain()
        return bool(self._call("show", card))

    def defer(self, card: dict[str, Any], done: Callable[[bool], None]) -> None:
        """Draw ``card`` once the page's open dialog is answered; ``done(shown)`` follows.

        For a dialog event listener, which must not block: the listeners after it (and
        Playwright's own dialog handling) wait for it.
        """
        if len(self._pending) >= 20 or not self._listening:
            done(False)
            return
        self._pending.append((card, done))

    def follow_dialogs(self) -> None:
        """Be told when the page's dialogs close. Call before any dialog opens: with one open,
        the page answers no CDP call until the person has answered it."""
        self._follow = True
        if self._listening or self.page.is_closed():
            return
        try:
            session = self._open()
            session.on("Page.javascriptDialogClosed", lambda _params: self.drain())
            session.send("Page.enable")
            self._listening = True
        except Error as exc:
            logger.debug("interceptor: cannot follow dialogs: {}", exc)

    def drain(self) -> None:
        """Draw the cards that waited for a dialog (in the caller's greenlet, which may block)."""
        while self._pending:
            card, done = self._pending.pop(0)
            shown = bool(self._call("show", card))
            with contextlib.suppress(Exception):
                done(shown)

    def close_newest(self) -> None:
        self._call("closeNewest")

    def clear(self) -> None:
        self._call("clear")

    def cards(self) -> list[dict[str, Any]]:
        """The cards on the page, newest first: rule, key, text, boxes (for tests and tools)."""
        found = self._call("describe")
        return list(found) if isinstance(found, list) else []

    def detach(self) -> None:
        self._listening = False
        if self._session is not None:
            with contextlib.suppress(Exception):
                self._session.detach()
        self._session = None

    # --- CDP -------------------------------------------------------------------------

    def _open(self) -> CDPSession:
        if self._session is None:
            self._session = self.page.context.new_cdp_session(self.page)
        return self._session

    def _context_id(self, session: CDPSession) -> int:
        if self._frame_id is None:
            self._frame_id = str(session.send("Page.getFrameTree")["frameTree"]["frame"]["id"])
        # The world of this name in the frame's current document; made on first use. A new
        # document (navigation) gets a new, empty world.
        world = session.send("Page.createIsolatedWorld", {"frameId": self._frame_id, "worldName": WORLD})
        return int(world["executionContextId"])

    def _call(self, name: str, *args: Any) -> Any:
        if self.page.is_closed():
            return None
        for attempt in range(2):
            try:
                session = self._open()
                context = self._context_id(session)
                reply = self._invoke(session, context, name, list(args))
                if reply.get("missing"):
                    session.send("Runtime.evaluate", {"expression": script("overlay.js"), "contextId": context})
                    reply = self._invoke(session, context, name, list(args))
                return reply.get("value")
            except Error as exc:
                # The page navigated (its frame tree changed) or our session ended: start
                # over once with a fresh session.
                logger.debug("interceptor: overlay call {} failed: {}", name, exc)
                self._frame_id = None
                self.detach()
                if attempt == 1 or self.page.is_closed():
                    return None
                if self._follow:
                    self.follow_dialogs()
        return None

    @staticmethod
    def _invoke(session: CDPSession, context: int, name: str, args: list[Any]) -> dict[str, Any]:
        reply = session.send(
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
