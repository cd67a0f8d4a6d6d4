"""The ``interceptor`` command line: ``main(argv) -> int``.

Each sub-command's work lives in the module that owns it; this module only parses
arguments and dispatches. Browser and OCR modules are imported lazily so that
``classify``, ``rules check`` and ``ask`` start fast and need no browser.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .errors import BrowserError
from .origins import DEFAULT_HALL_URL
from .version import installed_version

BROWSER_HELP = "要使用的浏览器程序的完整路径（Chrome、Edge 或 Chromium；默认自动选择，见 interceptor doctor）"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interceptor",
        description="网办大厅报错助手：识别江苏人社网上办事服务大厅的报错并给出处理方法。",
    )
    parser.add_argument("--version", action="version", version=f"interceptor {installed_version()}",
                        help="显示版本号后退出")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("classify", help="识别报错文本并给出处理方法 (classify error texts)")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="报错文本；省略时从标准输入逐行读取")
    p.add_argument("--json", action="store_true", help="输出 JSON Lines")
    p.add_argument("--rules", action="append", metavar="PATH", help="规则文件或目录（默认：内置规则）")
    p.add_argument("--no-mask", action="store_true", help="不遮盖身份证号和手机号")
    p.set_defaults(handler="interceptor.commands:run_classify")

    p = sub.add_parser("rules", help="规则表工具 (rule table tools)")
    rules_sub = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    pc = rules_sub.add_parser("check", help="校验规则文件并运行其中的示例")
    pc.add_argument("paths", nargs="*", metavar="PATH", help="规则文件或目录（默认：内置规则）")
    pc.set_defaults(handler="interceptor.commands:run_rules_check")

    p = sub.add_parser("ask", help="常见问题解答 (answer a frequent question)")
    p.add_argument("question", nargs="+", metavar="QUESTION", help="用自己的话提问，如：员工参保从哪个月开始缴费？")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--rules", action="append", metavar="PATH", help="规则文件或目录（默认：内置规则）")
    p.add_argument("--limit", type=int, default=3, help="最多给出几条答案（默认 3）")
    p.set_defaults(handler="interceptor.commands:run_ask")

    p = sub.add_parser("launch", help="打开浏览器进入网办大厅，出错时显示处理方法 (assisted session)")
    p.add_argument("url", nargs="?", default=DEFAULT_HALL_URL, metavar="URL", help=f"要打开的网址（默认 {DEFAULT_HALL_URL}）")
    p.add_argument("--profile", metavar="DIR", help="浏览器资料目录（保存登录状态和事件日志）")
    p.add_argument("--channel", choices=["chrome", "msedge"], help="使用本机安装的 Chrome 或 Edge")
    p.add_argument(
        "--cdp", metavar="ENDPOINT", help="连接已用远程调试方式启动的浏览器，如 http://127.0.0.1:9222"
    )
    p.add_argument("--headless", action="store_true", help="无界面运行")
    p.add_argument("--demo", action="store_true", help="打开本地演示大厅")
    p.add_argument("--rules", action="append", metavar="PATH", help="规则文件或目录（默认：内置规则）")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="运行多少秒后自动结束（用于测试）")
    p.add_argument(
        "--origin", action="append", metavar="ORIGIN",
        help="另外要守护的网站，如 https://ggfw.example.gov.cn 或 *.example.gov.cn（可重复；默认只守护江苏人社网站"
             "和打开的网址）",
    )
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.launch:run")

    p = sub.add_parser("demo", help="运行本地演示大厅并走完全部七种报错 (demo hall walk-through)")
    p.add_argument("--out", default="out/demo", metavar="DIR", help="截图和汇总的输出目录（默认 out/demo）")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.demo:run")

    p = sub.add_parser("record", help="录制一次带助手的浏览会话 (record a session)")
    p.add_argument("url", metavar="URL", help="要打开的网址")
    p.add_argument("--out", required=True, metavar="DIR", help="录制目录（HAR、报错时的页面快照和截图、events.json）")
    p.add_argument("--profile", metavar="DIR", help="浏览器资料目录（保存登录状态）")
    p.add_argument("--headless", action="store_true", help="无界面运行（用于测试）")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="录制多少秒后自动结束")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.record:run")

    p = sub.add_parser("replay", help="重放页面、录制目录或 HAR 并报告拦截到的报错")
    p.add_argument("targets", nargs="+", metavar="TARGET", help="http(s) 网址、.html 文件、录制目录或 .har 文件")
    p.add_argument("--json", metavar="FILE", dest="json_file", help="把结果写成 JSON 文件")
    p.add_argument("--wait", type=float, default=5.0, metavar="SECONDS",
                   help="页面及其后来打开的框架加载完后再观察多少秒（默认 5）")
    p.add_argument("--screenshots", metavar="DIR", help="把每个页面的截图（含提示框）存到此目录")
    p.add_argument("--dialogs", choices=["accept", "dismiss"], default="accept",
                   help="原生对话框的应答方式（默认 accept）")
    p.add_argument("--online", action="store_true",
                   help="允许本地 .html 页面访问网络（默认离线：只放行本机服务器上的页面及其引用的文件）")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.replay:run")

    p = sub.add_parser("shots", help="批量识别报错截图 (batch-check error screenshots)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="截图文件或文件夹（递归查找 png、jpg、jpeg、webp、bmp）")
    p.add_argument("--json", metavar="FILE", dest="json_file", help="把结果写成 JSON 文件")
    p.add_argument("--csv", metavar="FILE", dest="csv_file", help="把结果写成 CSV 文件")
    p.add_argument("--html", metavar="FILE", dest="html_file", help="写一份带缩略图和处理方法的 HTML 报告")
    p.add_argument("--workers", type=int, metavar="N", help="并行识别的进程数（默认 CPU 核数，最多 4）")
    p.add_argument("--no-cache", action="store_true", help="不使用识别缓存")
    p.set_defaults(handler="interceptor.shots:run")

    p = sub.add_parser("doctor", help="检查本机能否正常使用助手并给出解决办法 (check this computer)")
    p.add_argument("--profile", metavar="DIR", help="要检查的浏览器资料目录（默认：launch 使用的目录）")
    p.add_argument("--cdp", metavar="ENDPOINT", help="同时检查这个远程调试地址能否连上，如 http://127.0.0.1:9222")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.doctor:run")

    p = sub.add_parser("shortcut", help="在 Windows 桌面放一个启动助手的快捷方式 (desktop shortcut)")
    p.add_argument("--folder", metavar="DIR", help="快捷方式放在哪个文件夹（默认：桌面）")
    p.add_argument("--channel", choices=["chrome", "msedge"], help="快捷方式固定使用本机安装的 Chrome 或 Edge")
    p.add_argument("--browser", metavar="PATH", help=BROWSER_HELP)
    p.set_defaults(handler="interceptor.shortcut:run")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    browser = getattr(args, "browser", None)
    saved = os.environ.get("INTERCEPTOR_CHROMIUM")
    if browser and args.command != "doctor":  # doctor reports a wrong path as one of its checks
        from .browser import choose_browser

        try:
            choose_browser(browser)
        except BrowserError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        # Every place that starts a browser asks choose_browser, which reads this.
        os.environ["INTERCEPTOR_CHROMIUM"] = browser
    module_name, _, func_name = args.handler.partition(":")
    handler = getattr(importlib.import_module(module_name), func_name)
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrowserError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        if browser:
            if saved is None:
                os.environ.pop("INTERCEPTOR_CHROMIUM", None)
            else:
                os.environ["INTERCEPTOR_CHROMIUM"] = saved

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
