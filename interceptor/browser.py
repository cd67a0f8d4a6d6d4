"""Which Chromium to run and with which flags.

Playwright's own browser is used where it is installed; otherwise Debian's ``chromium``
package on PATH, because ``playwright install`` cannot download browsers on our machines.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from .errors import BrowserError

# Without these, Chromium keeps trying to reach Google's services from a closed network.
QUIET_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# Business pages of the hall stall on "加载中" when the browser says it is automated.
UNAUTOMATED_ARGS: tuple[str, ...] = ("--disable-blink-features=AutomationControlled",)
IGNORED_DEFAULT_ARGS: tuple[str, ...] = ("--enable-automation",)


def playwright_chromium_path() -> str | None:
    """Path of Playwright's own Chromium if it is installed, else None."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:
        return None
    return path if path and Path(path).exists() else None


def system_chromium_path() -> str | None:
    """Path of a Chromium found on PATH (Debian's ``chromium`` package), or None."""
    override = os.environ.get("INTERCEPTOR_CHROMIUM")
    if override:
        return override
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def executable_path() -> str | None:
    """The executable to hand Playwright: None means Playwright's own browser."""
    if os.environ.get("INTERCEPTOR_CHROMIUM"):
        return os.environ["INTERCEPTOR_CHROMIUM"]
    if playwright_chromium_path():
        return None
    found = system_chromium_path()
    if found is None:
        raise BrowserError(
            "No Chromium was found: install Debian's 'chromium' package (apt-get install chromium) "
            "or Playwright's browser, or set INTERCEPTOR_CHROMIUM to a Chromium executable."
        )
    return found


def launch_options(*, headless: bool = True, assisted: bool = False) -> dict[str, Any]:
    """Keyword arguments for ``BrowserType.launch`` / ``launch_persistent_context``."""
    args = list(QUIET_ARGS)
    options: dict[str, Any] = {"headless": headless}
    if assisted:
        args += UNAUTOMATED_ARGS
        options["ignore_default_args"] = list(IGNORED_DEFAULT_ARGS)
    options["args"] = args
    path = executable_path()
    if path:
        options["executable_path"] = path
    return options
