"""Every fixtures/pages case, live through attach(), against its expected.yaml.

The cases run a few at a time, each in its own context, so the whole corpus is watched in
about the time of its slowest cases; each case is still reported as its own test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from live_support import Case, all_cases, compare, load_case, pages_server
from playwright.sync_api import Browser, BrowserContext

from interceptor import RuleSet
from interceptor.companion import Companion, attach
from interceptor.server import LocalServer

__all__ = ["pages_server"]

BATCH = 8  # concurrent cases: more would starve the 1 s toasts on a 2-core machine
# A case's wait is what it needs on a quiet machine. On a busy CI machine nested frames and
# their timers can start seconds late, so a batch still missing expected events is watched
# up to this much longer (a finished batch does not pay for it).
SLACK_S = 6.0


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def outcomes(browser: Browser, pages_server: LocalServer, ruleset: RuleSet) -> Iterator[dict[str, Outcome]]:
    results: dict[str, Outcome] = {}
    folders = all_cases()
    for start in range(0, len(folders), BATCH):
        running: list[tuple[Case, BrowserContext, Companion, list[str]]] = []
        for folder in folders[start : start + BATCH]:
            case = load_case(folder)
            context = browser.new_context()
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            companion = attach(context, rules=ruleset, dialogs=case.dialogs)  # type: ignore[arg-type]
            # Pages of a batch load side by side; each case's watch starts from its load.
            page.goto(f"{pages_server.url}/{case.name}/", wait_until="commit")
            running.append((case, context, companion, errors))
        for _, context, _, _ in running:
            context.pages[0].wait_for_load_state("load")
        watcher = running[0][2]
        watcher.watch(max(case.wait for case, _, _, _ in running))
        deadline = time.monotonic() + SLACK_S
        while time.monotonic() < deadline and any(_missing(case, companion) for case, _, companion, _ in running):
            watcher.watch(0.2)
        for case, context, companion, errors in running:
            outcome = Outcome(compare(case, companion.events))
            outcome.problems += [f"no overlay for {e}" for e in companion.events if not e.overlay]
            outcome.problems += [f"page error: {e}" for e in errors]
            results[case.name] = outcome
            context.close()
    yield results


def _missing(case: Case, companion: Companion) -> bool:
    return any(p.startswith("missing ") for p in compare(case, list(companion.events)))


@pytest.mark.parametrize("folder", all_cases(), ids=lambda p: p.name)
def test_case_is_intercepted_as_expected(folder: Path, outcomes: dict[str, Outcome]) -> None:
    problems = outcomes[folder.name].problems
    assert not problems, f"{folder.name} ({load_case(folder).description}): " + "; ".join(problems)
