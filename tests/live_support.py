"""Shared pieces of the live-companion tests: the fixture-page server and case files.

Imported by the test modules that need them, rather than put in conftest.py, so that each
module names (and re-exports) the fixtures it uses and the others do not pay for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from interceptor.companion import Event
from interceptor.server import LocalServer

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


@pytest.fixture(scope="session")
def pages_server() -> Iterator[LocalServer]:
    with LocalServer(roots=[PAGES]) as server:
        yield server


@dataclass
class Case:
    name: str
    description: str
    wait: float
    dialogs: str
    events: list[dict[str, Any]]
    strict: bool = True


def load_case(folder: Path) -> Case:
    data = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    return Case(
        name=folder.name,
        description=data["description"],
        wait=float(data.get("wait", 3)),
        dialogs=str(data.get("dialogs", "accept")),
        events=list(data.get("events") or []),
        strict=bool(data.get("strict", True)),
    )


def all_cases() -> list[Path]:
    """Cases that are live pages (recorded folders and HAR files are replay's business)."""
    return sorted(p for p in PAGES.iterdir() if (p / "expected.yaml").is_file() and (p / "index.html").is_file())


def matches(expected: dict[str, Any], event: Event) -> bool:
    rule = expected["rule"]
    if (event.rule or "unknown") != rule:
        return False
    if "source" in expected and event.source != expected["source"]:
        return False
    if "text_contains" in expected and str(expected["text_contains"]) not in event.text:
        return False
    for key, value in (expected.get("captures") or {}).items():
        if event.captures.get(key) != str(value):
            return False
    return True


def compare(case: Case, events: list[Event]) -> list[str]:
    """Problems with ``events`` against the case's expectations (empty: all good)."""
    problems = []
    left = list(events)
    for expected in case.events:
        found = next((e for e in left if matches(expected, e)), None)
        if found is None:
            problems.append(f"missing {expected}")
        else:
            left.remove(found)
    if case.strict and left:
        problems.extend(f"unexpected {e.source} event {e.rule or 'unknown'}: {e.text!r}" for e in left)
    return problems
