"""Shared test set-up: headless Chromium from the system when Playwright has none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interceptor import RuleSet, load_rules
from interceptor.browser import launch_options

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, **launch_options(headless=True)}


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_rules()


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    """A folder of bad inputs for shots (see shot_files.fill_bad_folder)."""
    from shot_files import fill_bad_folder

    return fill_bad_folder(tmp_path / "in")
