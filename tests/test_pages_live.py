"""Every fixtures/pages case, live through attach(), against its expected.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from interceptor import RuleSet
from interceptor.companion import attach
from interceptor.server import LocalServer
from live_support import all_cases, compare, load_case, pages_server

__all__ = ["pages_server"]


@pytest.mark.parametrize("folder", all_cases(), ids=lambda p: p.name)
def test_case_is_intercepted_as_expected(
    folder: Path, browser: Browser, pages_server: LocalServer, ruleset: RuleSet
) -> None:
    case = load_case(folder)
    context = browser.new_context()
    try:
        page = context.new_page()
        page_errors: list[str] = []
        page.on("pageerror", lambda exc: page_errors.append(str(exc)))
        companion = attach(context, rules=ruleset, dialogs=case.dialogs)  # type: ignore[arg-type]
        page.goto(f"{pages_server.url}/{case.name}/")
        companion.watch(case.wait)
        problems = compare(case, companion.events)
        assert not problems, f"{case.name} ({case.description}): " + "; ".join(problems)
        for event in companion.events:
            assert event.overlay, f"no overlay for {event}"
        assert not page_errors
    finally:
        context.close()
