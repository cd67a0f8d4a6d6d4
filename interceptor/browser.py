"""Which Chromium to run and with which flags.

:func:`choose_browser` decides: a browser given with ``--browser`` / INTERCEPTOR_CHROMIUM;
Playwright's own Chromium where it is installed; otherwise the installed Chrome or Edge on
Windows and macOS, Debian's ``chromium`` on Linux (``playwright install`` cannot download
browsers on every machine, and company PCs always have Edge).
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from .errors import BrowserError

if TYPE_CHECKING:
    from playwright.sync_api import Page

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


def _playwright_browsers_root(platform: str) -> Path:
    """Where ``playwright install`` puts browsers on this platform (PLAYWRIGHT_BROWSERS_PATH wins)."""
    override = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if override == "0":  # browsers installed inside the playwright package itself
        import playwright

        return Path(playwright.__file__).parent / "driver" / "package" / ".local-browsers"
    if override:
        return Path(override)
    if platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "ms-playwright"
    if platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ms-playwright"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ms-playwright"


@functools.cache
def _playwright_chromium_on(platform: str) -> str | None:
    root = _playwright_browsers_root(platform)
    if platform == "win32":
        patterns = ["chromium-*/chrome-win*/chrome.exe"]
    elif platform == "darwin":
        patterns = ["chromium-*/chrome-mac*/Google Chrome for Testing.app", "chromium-*/chrome-mac*/Chromium.app"]
    else:
        patterns = ["chromium-*/chrome-linux*/chrome"]
    for pattern in patterns:
        candidates = sorted(root.glob(pattern), reverse=True)
        if candidates:
            return str(candidates[0])
    return None


def playwright_chromium_path() -> str | None:
    """Path of Playwright's own Chromium if it is installed, else None.

    Looked up on disk rather than by starting Playwright's driver: that costs a process
    start, and cannot be done at all inside a running sync Playwright session.
    """
    return _playwright_chromium_on(sys.platform)


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


def installed_channel_paths(platform: str | None = None) -> list[tuple[str, str]]:
    """``(channel, path)`` of Chrome and Edge at their usual install paths on Windows and macOS,
    Chrome first; an empty list elsewhere (Linux uses the distribution's ``chromium``)."""
    platform = platform or sys.platform
    places: list[tuple[str, str]] = []
    if platform == "win32":
        roots = [os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        defaults = [r"C:\Program Files", r"C:\Program Files (x86)"]
        bases = [r for r in roots if r] + [d for d in defaults if d not in roots]
        for channel, tail in (("chrome", r"Google\Chrome\Application\chrome.exe"),
                              ("msedge", r"Microsoft\Edge\Application\msedge.exe")):
            places += [(channel, base.rstrip("\\") + "\\" + tail) for base in bases]
    elif platform == "darwin":
        home = str(Path.home())
        for channel, app in (("chrome", "Google Chrome.app/Contents/MacOS/Google Chrome"),
                             ("msedge", "Microsoft Edge.app/Contents/MacOS/Microsoft Edge")):
            places += [(channel, f"/Applications/{app}"), (channel, f"{home}/Applications/{app}")]
    return [(channel, path) for channel, path in places if os.path.exists(path)]


CHANNEL_NAMES = {"chrome": "Chrome", "msedge": "Edge"}


@dataclass(frozen=True)
class BrowserChoice:
    """The browser to start: ``executable_path`` or ``channel`` (neither: Playwright's own),
    ``path`` the file that will run (for messages) and ``reason`` one Chinese sentence."""

    kind: str  # "given" | "playwright" | "chrome" | "msedge" | "system"
    reason: str
    path: str | None = None
    executable_path: str | None = None
    channel: str | None = None

    def options(self) -> dict[str, str]:
        """The ``executable_path`` / ``channel`` keys for ``BrowserType.launch``."""
        if self.channel:
            return {"channel": self.channel}
        if self.executable_path:
            return {"executable_path": self.executable_path}
        return {}


def choose_browser(given: str | None = None, *, platform: str | None = None) -> BrowserChoice:
    """Decide which browser to start, and say why in one sentence.

    In order: ``given`` (``--browser PATH``) or INTERCEPTOR_CHROMIUM; Playwright's own Chromium
    when installed; on Windows and macOS the installed Chrome, else Edge (Playwright's
    ``channel``); Debian's ``chromium`` (or another Chromium on PATH). Raises
    :class:`BrowserError` with a Chinese sentence saying what to install when none is found.
    """
    platform = platform or sys.platform
    if given:
        source = "--browser"
    else:
        given = os.environ.get("INTERCEPTOR_CHROMIUM") or None
        source = "环境变量 INTERCEPTOR_CHROMIUM"
    if given:
        found = given if os.path.isfile(given) else shutil.which(given)
        if not found:
            raise BrowserError(f"{source} 指定的浏览器 {given} 不存在：请改成本机上 Chrome、Edge 或 Chromium 的完整路径。")
        return BrowserChoice("given", f"使用 {source} 指定的浏览器 {found}。", path=found, executable_path=found)
    own = _playwright_chromium_on(platform)
    if own:
        return BrowserChoice("playwright", f"使用 Playwright 自带的 Chromium（{own}），它与本程序配套测试过。", path=own)
    installed = installed_channel_paths(platform)
    if installed:
        channel, where = installed[0]
        return BrowserChoice(
            channel, f"使用本机安装的 {CHANNEL_NAMES[channel]}（{where}），因为没有安装 Playwright 自带的 Chromium。",
            path=where, channel=channel,
        )
    if platform not in ("win32", "darwin"):
        for command in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
            on_path = shutil.which(command)
            if on_path:
                return BrowserChoice(
                    "system", f"使用系统安装的浏览器 {on_path}，因为没有安装 Playwright 自带的 Chromium。",
                    path=on_path, executable_path=on_path,
                )
    if platform == "win32":
        fix = "请安装 Chrome 或 Edge，或运行 playwright install chromium，或用 --browser 指定浏览器的完整路径。"
    elif platform == "darwin":
        fix = "请安装 Chrome 或 Edge（放在“应用程序”文件夹），或运行 playwright install chromium，或用 --browser 指定路径。"
    else:
        fix = "请安装 chromium（sudo apt-get install chromium），或运行 playwright install chromium，或用 --browser 指定路径。"
    raise BrowserError("没有找到可用的浏览器：" + fix)


def executable_path() -> str | None:
    """The executable to hand Playwright: None means Playwright's own browser or a channel."""
    return choose_browser().executable_path


def sandbox_possible() -> bool:
    """Whether Chromium's sandbox can be on here.

    Chromium refuses to start its sandbox as root (our CI and these machines run as root);
    everywhere else, and always on a person's own computer, the sandbox stays on.
    """
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        return False
    geteuid = getattr(os, "geteuid", None)
    return geteuid is None or geteuid() != 0


def launch_options(*, headless: bool = True, assisted: bool = False, browser: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``BrowserType.launch`` / ``launch_persistent_context``.

    ``browser`` is a path given with ``--browser`` (see :func:`choose_browser`).
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
    options.update(choose_browser(browser).options())
    return options


def pump(pages: Iterable[Page], seconds: float) -> bool:
    """Let Playwright deliver events for about ``seconds``: its sync API only does so while
    the thread is inside one of its calls, so this waits on the first open page (never with
    ``time.sleep``, which would hold every callback). False when no page is open."""
    from playwright.sync_api import Error

    for page in pages:
        if page.is_closed():
            continue
        try:
            page.wait_for_timeout(max(1.0, seconds * 1000))
            return True
        except Error:
            continue
    return False


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
