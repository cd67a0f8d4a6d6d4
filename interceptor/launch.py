"""``interceptor launch``: an assisted session in a headed browser with the companion attached.

The browser keeps a persistent profile, so a login to the hall survives restarts, and runs
without the automation flags that make some business pages hang on 加载中. Native dialogs
are left for the person to answer (``dialogs="leave"``). ``--cdp`` attaches to a browser the
person started with remote debugging instead. Every event goes to a JSON Lines log in the
profile folder, personal data masked.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .browser import launch_options
from .classify import load_rules
from .companion import Companion, Event, attach
from .errors import EXIT_ENVIRONMENT, NO_DISPLAY, InterceptorError, browser_failure, has_display, page_failure
from .files import private_dir
from .origins import DEFAULT_HALL_URL, HALL_ORIGINS, check_patterns, origin_of
from .privacy import mask

LOG_NAME = "interceptor-events.jsonl"


def default_profile() -> Path:
    """``$XDG_DATA_HOME/interceptor/profile``, usually ``~/.local/share/interceptor/profile``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "interceptor" / "profile"


def _say(text: str) -> None:
    print(text, flush=True)


def _print_event(event: Event) -> None:
    stamp = time.strftime("%H:%M:%S", time.localtime(event.time))
    if event.severity == "info":
        _say(f"[{stamp}] 提示：{event.title}")
    elif event.rule:
        _say(f"[{stamp}] 拦截到报错：{event.title}")
    else:
        _say(f"[{stamp}] 拦截到未识别的错误")
    _say(f"           原文：{mask(event.text)}")


def run(args: argparse.Namespace) -> int:
    try:
        rules = load_rules(args.rules) if args.rules else load_rules()
    except InterceptorError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if not args.headless and not args.cdp and not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_ENVIRONMENT
    try:
        extra_origins = check_patterns(getattr(args, "origin", None) or [])
    except ValueError as exc:
        print(f"{exc}。--origin 的写法如 https://example.gov.cn 或 *.example.gov.cn。", file=sys.stderr)
        return 2
    profile = Path(args.profile).expanduser() if args.profile else default_profile()
    # The profile holds the login and the event log: only its owner may open it.
    private_dir(profile)
    log_path = profile / LOG_NAME
    url: str = args.url
    server: Any = None
    if args.demo:
        try:
            from .demo import start_demo_server
        except ImportError as exc:
            print(f"演示大厅不可用（{exc}）：请先完成安装，或去掉 --demo 打开真实大厅。", file=sys.stderr)
            return 2
        server = start_demo_server()
        url = server.url + "/"
    origins = watched_origins(url, extra_origins, explicit=args.demo or url != DEFAULT_HALL_URL)
    try:
        with stop_on_sigterm():
            return _session(args, rules, profile, log_path, url, origins)
    except Terminated:
        _say("收到结束信号，助手退出。")
        return 0
    except KeyboardInterrupt:
        _say("已按 Ctrl-C，助手退出。")
        return 0
    finally:
        if server is not None:
            server.stop()


class Terminated(KeyboardInterrupt):
    """The process was asked to end (SIGTERM): leave the session as after Ctrl-C (a recording
    still saves and cleans its HAR)."""


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated`, so the session closes its browser and demo
    server in order instead of dying mid-write (which printed BrokenPipe tracebacks)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def handler(_signum: int, _frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def how_it_ends(*, headless: bool, duration: float | None) -> str:
    """The line that tells the person how the session ends."""
    if duration:
        return f"{duration:g} 秒后自动结束，也可以按 Ctrl-C 提前结束。"
    if headless:
        return "浏览器在后台运行（没有窗口），按 Ctrl-C 结束。"
    return "关闭浏览器或按 Ctrl-C 结束。"


def watched_origins(url: str, extra: list[str], *, explicit: bool) -> list[str]:
    """The hall's origins, those added with ``--origin``, and the origin of a URL the person
    asked for by name (the demo hall, a test system): only these pages report errors."""
    origins = [*HALL_ORIGINS, *extra]
    own = origin_of(url)
    if explicit and own is not None:
        origins.append(own)
    return origins


def summary(companion: Companion) -> str:
    """The closing line: what was seen and shown."""
    events = [e for e in companion.events if e.severity != "info"]
    shown = sum(1 for e in events if e.overlay)
    unknown = sum(1 for e in events if e.rule is None)
    tips = len(companion.events) - len(events)
    said = f"本次拦截到 {len(events)} 条报错（显示处理方法 {shown} 条，其中未识别的报错 {unknown} 条）"
    return said + (f"，另有 {tips} 条提示。" if tips else "。")


def _session(args: argparse.Namespace, rules: Any, profile: Path, log_path: Path, url: str,
             origins: list[str]) -> int:
    from playwright.sync_api import Error, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    duration: float | None = getattr(args, "duration", None)
    with sync_playwright() as playwright:
        closed = {"flag": False}

        def mark_closed(*_: object) -> None:
            closed["flag"] = True

        if args.cdp:
            try:
                browser = playwright.chromium.connect_over_cdp(args.cdp)
            except Error:
                print(
                    f"无法连接 {args.cdp}：那里没有以远程调试方式启动的浏览器。"
                    "请用 --remote-debugging-port=9222 启动浏览器后重试。",
                    file=sys.stderr,
                )
                return EXIT_ENVIRONMENT
            browser.on("disconnected", mark_closed)
            context = browser.contexts[0] if browser.contexts else browser.new_context()
        else:
            options = launch_options(headless=bool(args.headless), assisted=True)
            if args.channel:
                options.pop("executable_path", None)
                options["channel"] = args.channel
            try:
                context = playwright.chromium.launch_persistent_context(str(profile), no_viewport=True, **options)
            except Error as exc:
                print(f"浏览器无法启动。{browser_failure(exc.message)}", file=sys.stderr)
                return EXIT_ENVIRONMENT
        context.on("close", mark_closed)
        companion = attach(context, rules=rules, dialogs="leave", log=log_path, on_event=_print_event,
                           origins=origins)
        page = context.pages[0] if context.pages else context.new_page()
        # With --cdp the person's own tab stays where it is unless a URL was asked for.
        if not args.cdp or page.url in ("", "about:blank") or args.demo:
            try:
                page.goto(url)
            except Error as exc:
                _say(f"打开 {url} 失败（{page_failure(exc.message)}），可在浏览器中手动输入网址。")
        _say(f"助手已启动：{url}")
        _say(f"浏览器资料目录：{profile}；事件日志：{log_path}")
        _say(how_it_ends(headless=bool(args.headless), duration=duration))
        deadline = time.monotonic() + duration if duration else None
        try:
            while not closed["flag"] and (deadline is None or time.monotonic() < deadline):
                pages = [p for p in context.pages if not p.is_closed()]
                try:
                    # Playwright delivers the companion's events only while we are inside a call.
                    if pages:
                        pages[0].wait_for_timeout(300)
                    else:
                        context.wait_for_event("page", timeout=300)
                except PlaywrightTimeout:
                    continue
                except Error:
                    break
        finally:
            companion.close()  # also writes events whose overlay was never confirmed
        said = summary(companion)
        if closed["flag"]:
            _say(f"浏览器已关闭，助手结束。{said}")
        elif args.cdp:
            # The person's own browser: disconnect, never close it.
            _say(f"助手已断开，浏览器保持打开。{said}")
        else:
            with contextlib.suppress(Error):
                context.close()
            ended = "时间到，助手结束，浏览器已关闭。" if deadline is not None else "助手结束，浏览器已关闭。"
            _say(f"{ended}{said}")
        _say(f"事件日志：{log_path}")
    return 0
