"""Pages that attack the companion: forged cards and reports, tampering, floods.

The pages live in ``fixtures/hostile/``. What must hold: only Python decides what a card
says, a page can neither read nor change a card, frames outside the allowed origins and
sandboxed frames are ignored, and a flood costs the companion nothing that matters.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from interceptor import RuleSet
from interceptor.companion import MAX_EVENTS, Companion, attach
from interceptor.eventlog import read_events
from interceptor.server import LocalServer

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
PHISHING = ("400-000-0000", "verify.example", "重新验证", "短信验证码", "账号存在风险")


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(roots=[HOSTILE]) as running:
        yield running


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    yield context
    context.close()


def card_texts(companion: Companion, page: Page) -> list[str]:
    return [str(card["text"]) for card in companion.overlay(page).cards()]


def open_forge(context: BrowserContext, server: LocalServer, companion_origins: list[str] | None,
               ruleset: RuleSet) -> tuple[Page, Companion]:
    page = context.new_page()
    companion = attach(context, rules=ruleset, origins=companion_origins)
    page.goto(f"{server.url}/forge/index.html")
    # The third-party frame has loaded and made all its attempts.
    page.wait_for_function("() => document.getElementById('ad').contentWindow !== null")
    ad = next(f for f in page.frames if f.url.endswith("/forge/ad.html"))
    ad.wait_for_function("() => window.attempts && window.attempts.length === 4")
    return page, companion


def test_a_foreign_frame_cannot_forge_or_report_and_only_the_halls_error_gets_a_card(
    context: BrowserContext, server: LocalServer, ruleset: RuleSet
) -> None:
    page, companion = open_forge(context, server, [server.url], ruleset)
    ad = next(f for f in page.frames if f.url.endswith("/forge/ad.html"))
    # Every way in is closed to the frame: our binding and overlay do not exist in its world.
    attempts = ad.evaluate("() => window.attempts")
    assert attempts[0] == "postMessage:ok"  # it may post, nobody listens
    assert all(not a.endswith(":ok") for a in attempts[1:]), attempts
    companion.watch(1.0)
    assert companion.events == []  # its real-looking error is not the hall's: ignored
    assert companion.overlay(page).cards() == []
    page.evaluate("() => showRealError()")
    event = companion.wait_for_event("person-info-not-found", timeout=5)
    assert event.overlay
    companion.watch(0.8)
    assert [e.rule for e in companion.events] == ["person-info-not-found"]
    [card] = companion.overlay(page).cards()
    assert card["rule"] == "person-info-not-found" and card["origin"] is None
    assert not any(word in card["text"] for word in PHISHING)


def test_with_every_origin_allowed_a_frames_error_names_its_origin_and_sandboxes_stay_silent(
    context: BrowserContext, server: LocalServer, ruleset: RuleSet
) -> None:
    page, companion = open_forge(context, server, None, ruleset)
    event = companion.wait_for_event("household-type-missing", timeout=8)
    assert event.frame_url.endswith("/forge/ad.html") and event.overlay
    page.evaluate("() => showRealError()")
    companion.wait_for_event("person-info-not-found", timeout=5)
    companion.watch(1.0)
    # The sandboxed frame's 灵活就业 banner (an opaque origin) never counts.
    assert sorted(str(e.rule) for e in companion.events) == ["household-type-missing", "person-info-not-found"]
    cards = companion.overlay(page).cards()
    origins = {c["rule"]: c["origin"] for c in cards}
    ad_origin = event.frame_url.split("/forge/")[0]
    assert origins == {"household-type-missing": ad_origin, "person-info-not-found": None}
    frame_card = next(c for c in cards if c["rule"] == "household-type-missing")
    assert f"来自{ad_origin}" in frame_card["text"]
    assert not any(word in "".join(card_texts(companion, page)) for word in PHISHING)


def test_the_page_cannot_read_change_close_or_hide_a_card(
    context: BrowserContext, server: LocalServer, ruleset: RuleSet
) -> None:
    page = context.new_page()
    companion = attach(page, rules=ruleset)
    page.goto(f"{server.url}/tamper/index.html")
    page.evaluate("() => showRealError()")
    event = companion.wait_for_event("household-type-missing", timeout=5)
    assert event.overlay
    # Drawn from our own world: the page's replaced DOM methods saw nothing and changed nothing.
    [card] = companion.overlay(page).cards()
    assert card["steps"] == 4 and "个人中心" in card["text"]
    assert not any(word in card["text"] for word in PHISHING)
    assert not any("需由谁处理" in seen or "个人中心" in seen for seen in page.evaluate("() => window.seen"))
    probe = page.evaluate("() => probe()")
    assert probe == {"host": True, "shadow": None, "globals": ["undefined"] * 3, "reattach": "NotSupportedError"}
    assert page.evaluate("() => visible()")  # the page's !important stylesheet does not win
    # Synthetic key presses and clicks are not the person's: the card stays.
    page.evaluate("() => fakeClose()")
    page.wait_for_timeout(200)
    assert len(companion.overlay(page).cards()) == 1
    # Removed and hidden by the page: it comes back as it was.
    page.evaluate("() => hide()")
    page.wait_for_function("() => visible()", timeout=2000)
    [again] = companion.overlay(page).cards()
    assert again["connected"] and again["text"] == card["text"]
    # The person's own Escape still closes it.
    page.keyboard.press("Escape")
    assert companion.overlay(page).cards() == []


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def test_a_flood_is_cut_down_and_a_real_error_after_it_gets_its_card_at_once(
    context: BrowserContext, server: LocalServer, ruleset: RuleSet, tmp_path: Path
) -> None:
    page = context.new_page()
    log = tmp_path / "events.jsonl"
    companion = attach(page, rules=ruleset, log=log)
    page.goto(f"{server.url}/flood/index.html")
    before = _rss_mb()
    page.evaluate("() => flood(20000, 20000)")
    companion.watch(3.0)
    started = time.monotonic()
    page.evaluate("() => showRealError()")
    event = companion.wait_for_event("flexible-employment-insured", timeout=2)
    assert event.overlay and time.monotonic() - started < 2.0
    assert page.evaluate("() => window.noBinding") == "TypeError"  # nothing to call
    assert companion.dropped >= 19000  # counted, not processed
    assert len(companion.events) <= MAX_EVENTS
    assert _rss_mb() - before < 100
    companion.close()
    dropped = [r for r in read_events(log) if r.get("type") == "dropped"]
    assert dropped and sum(int(r["count"]) for r in dropped) == companion.dropped
