"""The ``interceptor`` command line: ``main(argv) -> int``.

Each sub-command's work lives in the module that owns it; this module only parses
arguments and dispatches. Browser and OCR modules are imported lazily so that
``classify``, ``rules check`` and ``ask`` start fast and need no browser.

Over 400 lines because every sub-command's options and their Chinese help are declared here,
in one place a person's ``--help`` comes from.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_PIPE_CLOSED,
    EXIT_USAGE,
    BrowserError,
    OutputPathError,
    describe,
)
from .origins import DEFAULT_HALL_URL
from .version import installed_version

BROWSER_HELP = "要使用的浏览器程序的完整路径（Chrome、Edge 或 Chromium；默认自动选择，见 interceptor doctor）"

# argparse's own English, in Chinese: argparse looks these templates up through its
# module-level ``_``/``ngettext`` at the moment it prints, so they are swapped in only then.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助后退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：命令写得不对：%(message)s\n"
                                       "（加 --help 查看用法）\n",
    "the following arguments are required: %s": "缺少必须写的内容：%s",
    "unrecognized arguments: %s": "不认识这些内容：%s",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)r 这个选项，可选：%(choices)s",
    "invalid choice: %(value)r, choose from %(choices)s": "没有 %(value)r 这个选项，可选：%(choices)s",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的数字",
    "expected one argument": "后面需要写一个值",
    "expected at most one argument": "后面最多写一个值",
    "expected at least one argument": "后面至少写一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不完整，可能是 %(matches)s",
    "not allowed with argument %s": "不能和 %s 一起用",
    "one of the arguments %s is required": "%s 中必须写一个",
    "ignored explicit argument %r": "多余的值 %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有 %(parser_name)r 这个命令，可选：%(choices)s",
    "int": "整数",
    "float": "数字",
}


def _zh(text: str) -> str:
    return _ARGPARSE_ZH.get(text, text)


def _zh_n(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "后面需要写 %s 个值"
    return _zh(singular if n == 1 else plural)


@contextlib.contextmanager
def _chinese() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _zh, _zh_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage, help and errors are Chinese; errors exit with code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _chinese():
            super().__init__(*args, **kwargs)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        with _chinese():
            return super().parse_known_args(*args, **kwargs)

    def parse_args(self, *args: Any, **kwargs: Any) -> Any:
        with _chinese():
            return super().parse_args(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        with _chinese():
            super().error(message)

    def format_usage(self) -> str:
        with _chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with _chinese():
            return super().format_help()


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1, refused in Chinese otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} 不是整数，请写 1 或更大的整数") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} 太小，请写 1 或更大的整数")
    return value


def seconds(text: str) -> float:
    """An argparse type: a number of seconds greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} 不是数字，请写秒数，如 30") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} 不行，秒数必须大于 0")
    return value


def wait_seconds(text: str) -> float:
    """An argparse type: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} 不是数字，请写秒数，如 5") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} 不行，秒数不能是负数")
    return value


RULES_HELP = "另外加载的规则文件或文件夹，加在内置规则之后（可写多次）"
ONLY_RULES_HELP = "只用这些规则文件或文件夹，不用内置规则（可写多次）"


def add_rules_options(p: argparse.ArgumentParser) -> None:
    """``--rules`` adds to the bundled table, ``--only-rules`` replaces it; both repeatable."""
    p.add_argument("--rules", action="append", metavar="PATH", help=RULES_HELP)
    p.add_argument("--only-rules", action="append", metavar="PATH", help=ONLY_RULES_HELP)


def rule_paths(args: argparse.Namespace) -> list[str] | None:
    """The rule files a command loads: None for the bundled table alone."""
    from .rules import bundled_rules_dir

    only = getattr(args, "only_rules", None)
    extra = getattr(args, "rules", None)
    if only:
        return [*only, *(extra or [])]
    if extra:
        return [str(bundled_rules_dir()), *extra]
    return None


def check_output_dir(path: Path, option: str, named: Path | None = None) -> None:
    """Refuse, before any work, a folder that cannot be created or written."""
    shown = named or path
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return
        probe = probe.parent
    if not probe.is_dir():
        raise OutputPathError(
            f"{option} {shown} 用不了：{probe} 已经是一个文件，不能当作文件夹。请换一个路径。"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputPathError(
            f"{option} {shown} 用不了：没有权限在 {probe} 里写入。请换一个自己的文件夹（如桌面或“文档”）。"
        )


def check_output_file(path: Path, option: str) -> None:
    """Refuse, before any work, a file that cannot be written."""
    if path.is_dir():
        raise OutputPathError(f"{option} {path} 是一个文件夹，不能当作文件写入。请写出文件名，如 {path / '结果'}。")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputPathError(f"{option} {path}：没有权限改写这个文件。请换一个文件名。")
    check_output_dir(path.parent, option, named=path)


# Options that name where a command writes: checked before the command starts its work.
OUTPUT_DIRS = {"out": "--out", "screenshots": "--screenshots"}
OUTPUT_FILES = {"json_file": "--json", "csv_file": "--csv", "html_file": "--html"}


def check_outputs(args: argparse.Namespace) -> None:
    for dest, option in OUTPUT_DIRS.items():
        value = getattr(args, dest, None)
        if isinstance(value, str) and value:
            check_output_dir(Path(value).expanduser(), option)
    for dest, option in OUTPUT_FILES.items():
        value = getattr(args, dest, None)
        if isinstance(value, str) and value:
            check_output_file(Path(value).expanduser(), option)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="interceptor",
        description="网办大厅报错助手：识别江苏人社网上办事服务大厅的报错并给出处理方法。",
    )
    parser.add_argument("--version", action="version", version=f"interceptor {installed_version()}",
                        help="显示版本号后退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", required=True)

    p = sub.add_parser("classify", help="识别报错文本并给出处理方法")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="报错文本；省略时从标准输入逐行读取")
    p.add_argument("--json", action="store_true", help="输出 JSON Lines")
    add_rules_options(p)
    p.add_argument("--no-mask", action="store_true", help="不遮盖身份证号和手机号")
    p.set_defaults(handler="interceptor.commands:run_classify")

    p = sub.add_parser("rules", help="规则表工具")
    rules_sub = p.add_subparsers(dest="rules_command", metavar="操作", required=True)
    pc = rules_sub.add_parser("check", help="校验规则文件并运行其中的示例")
    pc.add_argument("paths", nargs="*", metavar="PATH", help="规则文件或目录（默认：内置规则）")
    pc.set_defaults(handler="interceptor.commands:run_rules_check")

    p = sub.add_parser("ask", help="常见问题解答")
    p.add_argument("question", nargs="+", metavar="QUESTION", help="用自己的话提问，如：员工参保从哪个月开始缴费？")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    add_rules_options(p)
    p.add_argument("--limit", type=positive_int, default=3, metavar="N", help="最多给出几条答案（默认 3）")
    p.set_defaults(handler="interceptor.commands:run_ask")

    p = sub.add_parser("launch", help="打开浏览器进入网办大厅，出错时显示处理方法")
    p.add_argument("url", nargs="?", default=DEFAULT_HALL_URL, metavar="URL", help=f"要打开的网址（默认 {DEFAULT_HALL_URL}）")
    p.add_argument("--profile", metavar="DIR", help="浏览器资料目录（保存登录状态和事件日志）")
    p.add_argument("--channel", choices=["chrome", "msedge"], help="使用本机安装的 Chrome 或 Edge")
    p.add_argument(
        "--cdp", metavar="ENDPOINT", help="连接已用远程调试方式启动的浏览器，如 http://127.0.0.1:9222"
    )
    p.add_argument("--headless", action="store_true", help="无界面运行")
    p.add_argument("--demo", action="store_true", help="打开本地演示大厅")
    add_rules_options(p)
    p.add_argument("--duration", type=seconds, metavar="SECONDS", help="运行多少秒后自动结束（用于测试）")
    p.add_argument(
        "--origin", action="append", metavar="ORIGIN",
        help="另外要守护的网站，如 https://ggfw.example.gov.cn 或 *.example.gov.cn（可重复；默认只守护江苏人社网站"
             "和打开的网址）",
    )
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.launch:run")

    p = sub.add_parser("demo", help="运行本地演示大厅并走完全部七种报错")
    p.add_argument("--out", default="out/demo", metavar="DIR", help="截图和汇总的输出目录（默认 out/demo）")
    add_rules_options(p)
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.demo:run")

    p = sub.add_parser("record", help="录制一次带助手的浏览会话")
    p.add_argument("url", nargs="?", metavar="URL", help="要打开的网址（用 --demo 时不写）")
    p.add_argument("--out", required=True, metavar="DIR", help="录制目录（HAR、报错时的页面快照和截图、events.json）")
    p.add_argument("--demo", action="store_true", help="录制本地演示大厅（不需要账号，也不需要网络）")
    add_rules_options(p)
    p.add_argument("--profile", metavar="DIR", help="浏览器资料目录（保存登录状态）")
    p.add_argument("--headless", action="store_true", help="无界面运行（用于测试）")
    p.add_argument("--duration", type=seconds, metavar="SECONDS", help="录制多少秒后自动结束")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.record:run")

    p = sub.add_parser("replay", help="重放页面、录制目录或 HAR 并报告拦截到的报错")
    p.add_argument("targets", nargs="+", metavar="TARGET", help="http(s) 网址、.html 文件、录制目录或 .har 文件")
    add_rules_options(p)
    p.add_argument("--json", metavar="FILE", dest="json_file", help="把结果写成 JSON 文件")
    p.add_argument("--wait", type=wait_seconds, default=5.0, metavar="SECONDS",
                   help="页面及其后来打开的框架加载完后再观察多少秒（默认 5）")
    p.add_argument("--screenshots", metavar="DIR", help="把每个页面的截图（含提示框）存到此目录")
    p.add_argument("--dialogs", choices=["accept", "dismiss"], default="accept",
                   help="原生对话框的应答方式（默认 accept）")
    p.add_argument("--online", action="store_true",
                   help="允许本地 .html 页面访问网络（默认离线：只放行本机服务器上的页面及其引用的文件）")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.replay:run")

    p = sub.add_parser("shots", help="批量识别报错截图")
    p.add_argument("paths", nargs="+", metavar="PATH", help="截图文件或文件夹（递归查找 png、jpg、jpeg、webp、bmp）")
    add_rules_options(p)
    p.add_argument("--json", metavar="FILE", dest="json_file", help="把结果写成 JSON 文件")
    p.add_argument("--csv", metavar="FILE", dest="csv_file", help="把结果写成 CSV 文件")
    p.add_argument("--html", metavar="FILE", dest="html_file", help="写一份带缩略图和处理方法的 HTML 报告")
    p.add_argument("--workers", type=positive_int, metavar="N", help="并行识别的进程数（默认 CPU 核数，最多 4；用 --cluster 时不用）")
    p.add_argument("--no-cache", action="store_true", help="不使用识别缓存")
    p.add_argument("--engine", choices=("openvino", "onnxruntime"),
                   help="文字识别引擎（默认：已安装且自检通过的最快的一个）")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="在已有的 Dask 集群上识别（如 tcp://192.168.1.20:8786，加密连接用 tls://）："
                        "图片和识别出的文字会经过集群的机器；各机器须能按同一路径读到图片，否则加 --send")
    p.add_argument("--send", action="store_true",
                   help="配合 --cluster：由本机读出图片内容发给集群（不发文件名），不要求共享路径")
    p.set_defaults(handler="interceptor.shots:run")

    for name, title in (("unknown", "把未识别的报错按内容分组，并生成规则草稿 (group unknown errors)"),
                        ("stats", "统计报错：按规则、日期、页面和处理人 (error statistics)")):
        p = sub.add_parser(name, help=title)
        p.add_argument("paths", nargs="*", metavar="PATH",
                       help="事件日志（*.jsonl）、replay 或 shots 的 JSON 报告，或放着它们的文件夹（默认：launch 的事件日志）")
        p.add_argument("--since", metavar="DATE", type=_day, help="只看这一天（含）以后的报错，如 2026-11-30")
        p.add_argument("--json", action="store_true", help="输出 JSON")
        if name == "unknown":
            p.add_argument("--draft", metavar="FILE", help="为每组写一条规则草稿（YAML，处理方法待填写）")
            p.set_defaults(handler="interceptor.unknown:run")
        else:
            p.add_argument("--html", metavar="FILE", dest="html_file", help="写一份带图表的 HTML 报告（单个文件，不联网）")
            p.set_defaults(handler="interceptor.stats:run")

    p = sub.add_parser("doctor", help="检查本机能否正常使用助手并给出解决办法")
    p.add_argument("--profile", metavar="DIR", help="要检查的浏览器资料目录（默认：launch 使用的目录）")
    p.add_argument("--cdp", metavar="ENDPOINT", help="同时检查这个远程调试地址能否连上，如 http://127.0.0.1:9222")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.doctor:run")

    p = sub.add_parser("shortcut", help="在 Windows 桌面放一个启动助手的快捷方式")
    p.add_argument("--folder", metavar="DIR", help="快捷方式放在哪个文件夹（默认：桌面）")
    p.add_argument("--channel", choices=["chrome", "msedge"], help="快捷方式固定使用本机安装的 Chrome 或 Edge")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.shortcut:run")
    return parser


def _day(value: str) -> object:
    from .unknown import parse_day

    return parse_day(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every expected failure ends as a Chinese sentence and an exit code
    (see :data:`interceptor.errors.EXIT_CODES`), never a traceback."""
    try:
        return _main(argv)
    except SystemExit as exc:  # argparse: --help, --version (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        _say_error("已中断。")
        return EXIT_INTERRUPTED


def _quiet_diagnostics() -> None:
    """Loguru's default sink prints English diagnostics to the terminal: people see none of
    them (``INTERCEPTOR_DEBUG=1`` shows them again); the event log has a sink of its own."""
    from loguru import logger

    with contextlib.suppress(ValueError):
        logger.remove(0)
    if os.environ.get("INTERCEPTOR_DEBUG"):
        logger.add(sys.stderr, level="DEBUG")


def _main(argv: Sequence[str] | None) -> int:
    _quiet_diagnostics()
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    browser = getattr(args, "browser", None)
    saved = os.environ.get("INTERCEPTOR_CHROMIUM")
    try:
        check_outputs(args)
        if hasattr(args, "rules"):
            args.rules = rule_paths(args)
    except OutputPathError as exc:
        _say_error(str(exc))
        return EXIT_USAGE
    if browser and args.command != "doctor":  # doctor reports a wrong path as one of its checks
        from .browser import choose_browser

        try:
            choose_browser(browser)
        except BrowserError as exc:
            _say_error(str(exc))
            return EXIT_USAGE
        # Every place that starts a browser asks choose_browser, which reads this.
        os.environ["INTERCEPTOR_CHROMIUM"] = browser
    module_name, _, func_name = args.handler.partition(":")
    handler = getattr(importlib.import_module(module_name), func_name)
    try:
        return int(handler(args))
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except Exception as exc:  # the one place failures become sentences
        described = describe(exc)
        if described is None:
            return _internal_error(exc)
        sentence, code = described
        _say_error(sentence)
        return code
    finally:
        if browser:
            if saved is None:
                os.environ.pop("INTERCEPTOR_CHROMIUM", None)
            else:
                os.environ["INTERCEPTOR_CHROMIUM"] = saved


def _say_error(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


def _quiet_stdout() -> None:
    """After the reader went away, send what Python still flushes at exit nowhere."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _internal_error(exc: BaseException) -> int:
    """A fault of our own: the details go to a file for the maintainers, the person gets one sentence."""
    import tempfile

    from .files import write_private_text

    details = "".join(traceback.format_exception(exc))
    try:
        handle, name = tempfile.mkstemp(prefix="interceptor-error-", suffix=".txt")
        os.close(handle)
        where = write_private_text(name, details)
        _say_error(f"助手自身出了问题，没能完成。详细情况已保存到 {where}，请把这个文件发给维护人员。")
    except OSError:
        _say_error("助手自身出了问题，没能完成。请把刚才运行的命令告诉维护人员。")
    return EXIT_INTERNAL

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
