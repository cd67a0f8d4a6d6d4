"""Every error interceptor raises, under one root.

    InterceptorError
    ├── RuleError                 a rule file cannot be used (carries path:line)
    │   └── RuleFileErrors        several RuleErrors found in one check
    ├── BrowserError              no usable browser, or it could not start
    ├── CompanionTimeout          wait_for_event saw no matching event in time
    ├── TargetError               a replay/record target cannot be loaded
    ├── ImageError                a screenshot cannot be read
    │   └── UnreadableImage       (images.py) one file of a batch, with the reason for its row
    ├── UsageError                the command was given something unusable (exit 2)
    │   ├── OutputPathError       an output file or folder cannot be written
    │   └── ClusterUnavailable    (cluster.py) shots --cluster: bad address, no scheduler or workers
    └── EnvironmentProblem        this computer lacks something: a display, a free profile (exit 3)

Messages are full sentences a clerk or rule author can act on. :func:`describe` is the one
place that turns every expected failure (ours, the file system's, the browser's) into such
a sentence and an exit code; the command line prints nothing else for them.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from pathlib import Path


class InterceptorError(Exception):
    """Root of every error raised by interceptor."""


class RuleError(InterceptorError):
    """A problem in a rule file, located as ``path:line``."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.location_text())

    def location_text(self) -> str:
        if self.path is None:
            return self.message
        return f"{self.path}:{self.line or 1}: {self.message}"


class RuleFileErrors(RuleError):
    """Several rule problems reported together, one per line."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        first = errors[0] if errors else RuleError("The rule files have problems.")
        super().__init__(first.message, first.path, first.line)

    def location_text(self) -> str:
        return "\n".join(e.location_text() for e in getattr(self, "errors", [])) or self.message


class BrowserError(InterceptorError):
    """No usable browser was found, or it failed to start."""


class CompanionTimeout(InterceptorError, TimeoutError):
    """No matching event arrived before the timeout."""


class TargetError(InterceptorError):
    """A replay or record target cannot be loaded."""


class ImageError(InterceptorError):
    """A screenshot cannot be read as an image."""


class UsageError(InterceptorError):
    """The command was given something it cannot use (a path, a number); exit code 2."""

    exit_code = 2


class EnvironmentProblem(InterceptorError):
    """This computer lacks something the command needs (a display, a free profile); exit code 3."""

    exit_code = 3


class OutputPathError(UsageError):
    """An output file or folder cannot be written; found before any work starts."""


# --- Exit codes and the one place that words every expected failure ------------------

EXIT_OK = 0  # done; nothing wrong (classify exits 0 whether or not a text was recognised)
EXIT_PROBLEMS = 1  # the work ran and found problems: rule check failures, a page that did not load …
EXIT_USAGE = 2  # the command was written wrongly: an unknown option, a bad number, an unusable path
EXIT_ENVIRONMENT = 3  # this computer lacks something: no display, no browser, a busy profile, a full disk
EXIT_INTERNAL = 4  # a fault in interceptor itself (details saved to a file for the maintainers)
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_PIPE_CLOSED = 141  # the reader of our output went away (`| head`), as other command-line tools

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "完成，没有问题",
    EXIT_PROBLEMS: "完成了，但发现了问题（如规则检查未通过、页面打不开、截图认不出）",
    EXIT_USAGE: "命令写得不对（选项、数字或路径用不了）",
    EXIT_ENVIRONMENT: "这台电脑缺少需要的东西（显示器、浏览器、磁盘空间，或资料目录正被占用）",
    EXIT_INTERNAL: "助手自身出错（详细情况已保存到文件，请发给维护人员）",
    EXIT_INTERRUPTED: "按了 Ctrl-C，已中断",
    EXIT_PIPE_CLOSED: "输出被提前关闭（如接在 | head 后面），不算错误",
}

_ERRNO_WORDS = {
    errno.ENOENT: ("找不到 {name}", "请检查路径是否写对", EXIT_USAGE),
    errno.ENOTDIR: ("{name} 的上一级不是文件夹，而是一个文件", "请换一个路径", EXIT_USAGE),
    errno.EISDIR: ("{name} 是一个文件夹，不能当作文件写入", "请写出文件名", EXIT_USAGE),
    errno.EEXIST: ("{name} 已经存在，而且不是文件夹", "请换一个路径", EXIT_USAGE),
    errno.EACCES: ("没有权限读写 {name}", "请换一个自己的文件夹（如桌面或“文档”）", EXIT_ENVIRONMENT),
    errno.EPERM: ("没有权限读写 {name}", "请换一个自己的文件夹（如桌面或“文档”）", EXIT_ENVIRONMENT),
    errno.EROFS: ("{name} 所在的磁盘只能读、不能写", "请换一个文件夹", EXIT_ENVIRONMENT),
    errno.ENOSPC: ("磁盘空间不足，无法写入 {name}", "请清理磁盘后重试", EXIT_ENVIRONMENT),
    errno.ENAMETOOLONG: ("路径 {name} 太长", "请换一个短一些的路径", EXIT_USAGE),
}

# Playwright's own English reasons, and what a clerk can do about each.
_BROWSER_WORDS = (
    (re.compile(r"Missing X server|\$DISPLAY|cannot open display|no DISPLAY", re.IGNORECASE),
     "这台电脑没有可用的图形界面（找不到显示器），浏览器窗口无法打开。请在有桌面的电脑上运行；"
     "只想在后台运行（如测试）时加 --headless。"),
    (re.compile(r"ProcessSingleton|profile (?:directory )?is already in use|SingletonLock", re.IGNORECASE),
     "浏览器资料目录正被另一个浏览器窗口使用。请先关闭用这个目录打开的浏览器（包括上一次的助手），"
     "或用 --profile 换一个目录。"),
    (re.compile(r"Executable doesn't exist|executable_path|Failed to launch|spawn .* ENOENT", re.IGNORECASE),
     "找不到可以启动的浏览器。请运行 interceptor doctor 查看原因，或用 --browser 指定 Chrome、Edge 的完整路径。"),
    (re.compile(r"ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_(?:REFUSED|RESET|TIMED_OUT)|"
                r"ERR_ADDRESS_UNREACHABLE|ERR_NETWORK_CHANGED", re.IGNORECASE),
     "网址打不开：网络不通或地址写错了。请检查网址和网络后重试。"),
    (re.compile(r"Timeout \d+ms exceeded|timed out", re.IGNORECASE),
     "页面在规定时间内没有打开。请检查网络，稍后重试。"),
    (re.compile(r"Target (?:page, context or browser|closed)|has been closed|Browser closed", re.IGNORECASE),
     "浏览器意外关闭了。如果这台电脑没有显示器，请加 --headless；否则请重试，仍不行就运行 interceptor doctor。"),
)


def browser_failure(message: str) -> str:
    """A clerk's sentence for one of Playwright's English failure messages."""
    for pattern, words in _BROWSER_WORDS:
        if pattern.search(message):
            return words
    return "浏览器出了问题，无法继续。请重试；仍不行请运行 interceptor doctor 检查这台电脑。"


_PAGE_WORDS = (
    (re.compile(r"ERR_NAME_NOT_RESOLVED"), "找不到这个网址的服务器（网址写错了，或网络不通）"),
    (re.compile(r"ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED|ERR_ADDRESS_UNREACHABLE"), "这台电脑没有连上网络"),
    (re.compile(r"ERR_CONNECTION_REFUSED"), "服务器拒绝连接（服务没有开，或端口写错了）"),
    (re.compile(r"ERR_CONNECTION_(?:RESET|CLOSED|TIMED_OUT)|ERR_TIMED_OUT"), "连接服务器时断开或超时"),
    (re.compile(r"ERR_CERT_|SSL|certificate", re.IGNORECASE), "网站的安全证书有问题"),
    (re.compile(r"ERR_FILE_NOT_FOUND"), "找不到这个文件"),
    (re.compile(r"ERR_ABORTED"), "页面加载被中止"),
    (re.compile(r"Timeout \d+ms exceeded|timed? ?out", re.IGNORECASE), "规定时间内没有打开"),
    (re.compile(r"has been closed|Target closed", re.IGNORECASE), "浏览器在加载时关闭了"),
    (re.compile(r"invalid URL|Cannot navigate to invalid URL", re.IGNORECASE), "网址的写法不对"),
)


def page_failure(message: str) -> str:
    """Why a page did not load, in a clerk's words, from Playwright's English message."""
    for pattern, words in _PAGE_WORDS:
        if pattern.search(message):
            return words
    code = re.search(r"\b(?:net::)?(ERR_[A-Z_]+)", message)
    return f"页面打不开（浏览器的错误代码 {code.group(1)}）" if code else "页面打不开"


def has_display() -> bool:
    """Whether a headed browser window can open here (Linux needs an X or Wayland display)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


NO_DISPLAY = (
    "这台电脑没有可用的图形界面（找不到显示器），浏览器窗口无法打开。请在有桌面的电脑上运行；"
    "只想在后台运行（如测试）时加 --headless。"
)


def os_failure(exc: OSError) -> tuple[str, int]:
    """A sentence and an exit code for a file-system failure."""
    name = f"“{exc.filename}”" if exc.filename else "这个文件"
    found = _ERRNO_WORDS.get(exc.errno or 0)
    if found is None:
        return f"读写{name}时出错（错误号 {exc.errno}）。请检查路径和磁盘后重试。", EXIT_ENVIRONMENT
    what, todo, code = found
    return f"{what.format(name=name)}。{todo}。", code


def describe(exc: BaseException) -> tuple[str, int] | None:
    """The clerk's sentence and exit code for an expected failure; None for a fault of our own."""
    if isinstance(exc, KeyboardInterrupt):
        return "已中断。", EXIT_INTERRUPTED
    if isinstance(exc, RuleError):
        return exc.location_text() + "\n规则文件有问题，请先运行 interceptor rules check 查看。", EXIT_USAGE
    if isinstance(exc, InterceptorError):
        code = getattr(exc, "exit_code", None)
        if code is None:
            code = EXIT_ENVIRONMENT if isinstance(exc, BrowserError) else EXIT_PROBLEMS
        return str(exc), int(code)
    if isinstance(exc, UnicodeError):
        return "文件不是 UTF-8 编码的文本，读不出来。请另存为 UTF-8 后重试。", EXIT_USAGE
    if isinstance(exc, MemoryError):
        return "内存不够，无法完成。请一次少处理一些文件后重试。", EXIT_ENVIRONMENT
    if isinstance(exc, OSError):
        return os_failure(exc)
    if type(exc).__module__.startswith("playwright"):
        return browser_failure(str(exc)), EXIT_ENVIRONMENT
    return None
