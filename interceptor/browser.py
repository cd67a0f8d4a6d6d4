"""Which Chromium to run and with which flags.

Playwright's own browser is used where it is installed; otherwise Debian's ``chromium``
package on PATH, because ``playwright install`` cannot download browsers on our machines.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from .errors import BrowserError

# Without these, Chromium keeps trying to reach Google's services from a closed network.
QUIET_ARGS: tuple[str, ...] = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# Business pages of the hall stall on "加载中" when the browser says it is automated.
UNAUTOMATED_ARGS: tuple[str, ...] = ("--disable-blink-features=AutomationControlled",)
IGNORED_DEFAULT_ARGS: tuple[str, ...] = ("--enable-automation",)


@functools.cache
def playwright_chromium_path() -> str | None:
    """Path of Playwright's own Chromium if it is installed, else None.

    Looked up on disk rather than by starting Playwright's driver: that costs a process
    start, and cannot be done at all inside a running sync Playwright session.
    """
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache" / "ms-playwright")
    if root == "0":  # browsers installed inside the playwright package itself
        import playwright

        root = str(Path(playwright.__file__).parent / "driver" / "package" / ".local-browsers")
    candidates = sorted(Path(root).glob("chromium-*/chrome-linux*/chrome"), reverse=True)
    candidates += sorted(Path(root).glob("chromium-*/chrome-*/Google Chrome for Testing.app"), reverse=True)
    return str(candidates[0]) if candidates else None


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


def sandbox_possible() -> bool:
    """Whether Chromium's sandbox can be on here.

    Chromium refuses to start its sandbox as root (our CI and these machines run as root);
    everywhere else, and always on a person's own computer, the sandbox stays on.
    """
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        return False
    geteuid = getattr(os, "geteuid", None)
    return geteuid is None or geteuid() != 0


def launch_options(*, headless: bool = True, assisted: bool = False) -> dict[str, Any]:
    """Keyword arguments for ``BrowserType.launch`` / ``launch_persistent_context``.

    Playwright turns the sandbox off unless asked (``chromium_sandbox``); we ask for it
    wherever it can run (see :func:`sandbox_possible`), and only then is
    ``--no-sandbox`` added, by Playwright itself.
    """
    args = list(QUIET_ARGS)
    options: dict[str, Any] = {"headless": headless, "chromium_sandbox": sandbox_possible()}
    if assisted:
        args += UNAUTOMATED_ARGS
        options["ignore_default_args"] = list(IGNORED_DEFAULT_ARGS)
    options["args"] = args
    path = executable_path()
    if path:
        options["executable_path"] = path
    return options


P = ParamSpec("P")
T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def own_playwright_thread(function: Callable[P, T]) -> Callable[P, T]:
    """Run ``function`` (which starts its own sync Playwright) in a fresh thread when the
    calling thread already runs an asyncio loop.

    Playwright's sync API refuses to start inside a running loop, which is exactly the case
    inside a pytest-playwright test or a notebook; a thread of its own has no loop.
    """

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        if not _loop_running():
            return function(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="interceptor-playwright") as pool:
            return pool.submit(function, *args, **kwargs).result()

    return wrapper
