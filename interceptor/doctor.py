"""``interceptor doctor``: can this computer run the companion? One line per check, in Chinese.

Each check returns a :class:`Check`: ✔ (fine), ⚠ (works, with a limit) or ✘ (broken, with
the fix a help-desk person can read out). The browser is started for real (headless); the
OCR engine is only imported and its model files looked at, never run. Nothing is changed on
the machine: a profile folder that does not exist yet is not created.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .browser import choose_browser, launch_options, own_playwright_thread
from .errors import BrowserError, InterceptorError
from .version import installed_version

OK, WARN, FAIL = "ok", "warn", "fail"
LOG_NAME = "interceptor-events.jsonl"  # the name launch gives its event log
CDP_TIMEOUT_S = 3.0
BROWSER_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how it went, and what to do about it."""

    name: str
    status: str  # OK | WARN | FAIL
    detail: str
    fix: str | None = None


def check_version() -> Check:
    package = Path(__file__).resolve().parent
    python = ".".join(str(n) for n in sys.version_info[:3])
    return Check("版本", OK, f"interceptor {installed_version()}（Python {python}，安装位置 {package}）")


def check_browser(given: str | None = None) -> Check:
    """Which browser, and whether it really starts (headless) and renders a page."""
    try:
        choice = choose_browser(given)
    except BrowserError as exc:
        problem, fix = _split_advice(str(exc))
        return Check("浏览器", FAIL, problem, fix)
    try:
        version = _start_headless(given)
    except Exception as exc:  # any failure to start is reported, never a traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Check(
            "浏览器", FAIL, f"{choice.reason}但它无法启动：{first}",
            "确认这个浏览器能手动打开；或用 --browser 指定另一个浏览器的完整路径，"
            "或运行 playwright install chromium 安装配套的 Chromium。",
        )
    return Check("浏览器", OK, f"{choice.reason}已试启动成功（版本 {version}）。")


def _split_advice(message: str) -> tuple[str, str]:
    """A BrowserError sentence ("problem：advice") as the problem and the advice."""
    problem, colon, advice = message.partition("：")
    return (problem + "。", advice) if colon and advice else (message, "用 --browser 指定浏览器的完整路径。")


@own_playwright_thread
def _start_headless(given: str | None) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(timeout=BROWSER_TIMEOUT_MS,
                                             **launch_options(headless=True, browser=given))
        try:
            page = browser.new_page()
            page.set_content("<p>自检</p>")
            page.text_content("p")
            return browser.version
        finally:
            browser.close()


def check_display(platform: str | None = None) -> Check:
    """Whether ``launch`` can open a window here (a missing display is only a warning)."""
    platform = platform or sys.platform
    if platform in ("win32", "darwin"):
        return Check("浏览器窗口", OK, "桌面系统，launch 可以打开浏览器窗口。")
    for variable in ("WAYLAND_DISPLAY", "DISPLAY"):
        if os.environ.get(variable):
            return Check("浏览器窗口", OK, f"有图形界面（{variable}={os.environ[variable]}），launch 可以打开浏览器窗口。")
    return Check(
        "浏览器窗口", WARN,
        "没有图形界面（未设置 DISPLAY 或 WAYLAND_DISPLAY）：launch 只能加 --headless 运行；demo、replay、shots 不受影响。",
        "要看到浏览器窗口，请在桌面环境的终端里运行，或远程时用 ssh -X / xvfb-run。",
    )


def check_fonts(platform: str | None = None) -> Check:
    """Chinese fonts, without which pages and screenshots show boxes instead of characters."""
    platform = platform or sys.platform
    if platform in ("win32", "darwin"):
        return Check("中文字体", OK, "系统自带中文字体。")
    fix = "安装中文字体：sudo apt-get install fonts-noto-cjk"
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return Check("中文字体", FAIL, "找不到 fc-list，无法确认有没有中文字体。", "sudo apt-get install fontconfig fonts-noto-cjk")
    try:
        listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20,
                                check=False).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("中文字体", FAIL, f"fc-list 运行失败（{exc}）。", fix)
    # Simplified Chinese families first: they are the ones the hall's pages end up using.
    families = sorted({line.split(",")[0].strip() for line in listed.splitlines() if line.strip()},
                      key=lambda family: ("SC" not in family and "Hans" not in family, family))
    if not families:
        return Check("中文字体", FAIL, "没有中文字体：页面和截图里的汉字会显示成方框。", fix)
    shown = "、".join(families[:3]) + (" 等" if len(families) > 3 else "")
    return Check("中文字体", OK, f"已安装 {len(families)} 种中文字体（{shown}）。")


def check_ocr() -> Check:
    """RapidOCR importable and its three model files present (no recognition is run)."""
    fix = "重新安装本程序（pipx reinstall interceptor，或 pip install --force-reinstall rapidocr-onnxruntime==1.4.4）。"
    try:
        module = importlib.import_module("rapidocr_onnxruntime")
    except Exception as exc:
        return Check("文字识别", FAIL, f"文字识别引擎 RapidOCR 无法加载（{type(exc).__name__}: {exc}）。", fix)
    package = Path(module.__file__ or "").parent
    try:
        import yaml

        config = yaml.safe_load((package / "config.yaml").read_text(encoding="utf-8"))
        models = [package / str(section["model_path"]) for section in config.values()
                  if isinstance(section, dict) and "model_path" in section]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return Check("文字识别", FAIL, f"RapidOCR 的配置文件读不出来（{exc}）。", fix)
    missing = [m.name for m in models if not m.is_file() or m.stat().st_size == 0]
    if not models or missing:
        return Check("文字识别", FAIL, f"RapidOCR 缺少模型文件：{'、'.join(missing) or 'config.yaml 中没有模型'}。", fix)
    return Check("文字识别", OK, f"RapidOCR 可用，{len(models)} 个模型文件齐全（{package / 'models'}）。")


def default_profile() -> Path:
    from .launch import default_profile as launch_default

    return launch_default()


def _writable(folder: Path) -> str | None:
    """None when a file can be made in ``folder``, else why not (the probe is removed)."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".interceptor-doctor-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _lock_holder(profile: Path) -> str | None:
    """Who holds Chromium's profile lock, or None when the profile is free.

    On Linux and macOS Chromium leaves a ``SingletonLock`` symlink to ``host-pid``; a lock of
    this host whose process is gone is stale and taken over by the next start. On Windows the
    ``lockfile`` is held open by the running browser, so it cannot be opened.
    """
    lock = profile / "SingletonLock"
    if os.path.lexists(lock):
        try:
            target = os.readlink(lock)
        except OSError:
            return "另一个浏览器"
        host, _, pid_text = target.rpartition("-")
        if host and host != socket.gethostname():
            return f"另一台电脑（{host}）上的浏览器"
        if pid_text.isdigit() and _alive(int(pid_text)):
            return f"另一个浏览器（进程 {pid_text}）"
        return None
    lockfile = profile / "lockfile"
    if sys.platform == "win32" and lockfile.exists():
        try:
            os.open(lockfile, os.O_RDWR)
        except PermissionError:
            return "另一个浏览器"
        except OSError:
            return None
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _not_creatable(folder: Path) -> str | None:
    """None when ``folder`` (missing) could be created, else why not."""
    ancestor = folder.parent
    while not ancestor.exists() and ancestor.parent != ancestor:
        ancestor = ancestor.parent
    why = "不是文件夹" if not ancestor.is_dir() else _writable(ancestor)
    return f"{ancestor}：{why}" if why else None


def check_profile(profile: Path) -> Check:
    """The profile folder of ``launch``: usable, private, and not in use by another browser."""
    name = "资料目录"
    if not profile.exists():
        why = _not_creatable(profile)
        if why:
            return Check(name, FAIL, f"{profile} 不存在，也无法创建（{why}）。",
                         "用 --profile 指定一个自己有写权限的文件夹，或请管理员开放该位置的写权限。")
        return Check(name, OK, f"{profile} 还不存在，第一次运行 launch 时会自动创建（仅本人可访问）。")
    if not profile.is_dir():
        return Check(name, FAIL, f"{profile} 是一个文件，不是文件夹。",
                     "把这个文件改名或移走，或用 --profile 指定另一个文件夹。")
    why = _writable(profile)
    if why:
        return Check(name, FAIL, f"{profile} 不能写入（{why}）：登录状态和事件日志都存不下来。",
                     f"把这个文件夹的权限改回本人可写（Linux/macOS：chmod 700 {profile}），或用 --profile 指定另一个文件夹。")
    if os.name == "posix" and profile.stat().st_mode & 0o077:
        mode = oct(profile.stat().st_mode & 0o777)[2:]
        return Check(name, FAIL, f"{profile} 的权限是 {mode}，别人也能看到里面的登录状态和事件日志。",
                     f"chmod 700 {profile}")
    holder = _lock_holder(profile)
    if holder:
        return Check(name, FAIL, f"{profile} 正被{holder}使用，launch 无法再打开它。",
                     "先关闭用这个资料目录打开的浏览器窗口再试；或用 --profile 指定另一个文件夹。")
    return Check(name, OK, f"{profile} 可用（仅本人可访问，没有被其他浏览器占用）。")


def check_event_log(profile: Path) -> Check:
    """``PROFILE/interceptor-events.jsonl``: appendable and private (nothing is written to it)."""
    name = "事件日志"
    log = profile / LOG_NAME
    if not log.exists():
        if profile.is_dir() and _writable(profile) is None:
            return Check(name, OK, f"{log} 还没有，第一次拦截到报错时会创建。")
        if not profile.exists() and _not_creatable(profile) is None:
            return Check(name, OK, f"{log} 会随资料目录一起创建。")
        return Check(name, FAIL, f"{log} 无法创建：资料目录不能使用。", "先按上面“资料目录”一项的办法处理。")
    if not log.is_file():
        return Check(name, FAIL, f"{log} 不是一个普通文件。", "把它改名或移走，launch 会重新创建。")
    try:
        with open(log, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        return Check(name, FAIL, f"{log} 不能追加写入（{exc.strerror or exc}）。",
                     f"把它的权限改回本人可写（Linux/macOS：chmod 600 {log}），或把它移走。")
    if os.name == "posix" and log.stat().st_mode & 0o077:
        return Check(name, FAIL, f"{log} 别人也能读（里面有遮盖后的报错记录）。", f"chmod 600 {log}")
    return Check(name, OK, f"{log} 可以写入（仅本人可读）。")


def check_rules() -> Check:
    from .classify import check_rules as run_rule_checks
    from .classify import load_rules

    try:
        problems = run_rule_checks()
        if not problems:
            ruleset = load_rules()
    except Exception as exc:  # a broken installation must show as ✘, not as a traceback
        problems, error = [], str(exc) if isinstance(exc, InterceptorError | OSError) else f"{type(exc).__name__}: {exc}"
    else:
        error = ""
    fix = "重新安装本程序（pipx reinstall interceptor）；自己改过规则的，按 rules/README.md 修正后运行 interceptor rules check。"
    if problems:
        shown = "；".join(p.location_text() for p in problems[:3])
        return Check("规则表", FAIL, f"内置规则表有 {len(problems)} 处问题：{shown}", fix)
    if error:
        return Check("规则表", FAIL, f"内置规则表读不出来：{error}", fix)
    examples = sum(len(r.examples.match) + len(r.examples.no_match) for r in ruleset.rules)
    examples += sum(len(q.examples.match) + len(q.examples.no_match) for q in ruleset.questions)
    return Check("规则表", OK, f"{len(ruleset.rules)} 条报错规则、{len(ruleset.questions)} 个常见问题，{examples} 个示例全部通过。")


def check_demo_assets() -> Check:
    """The front-end files the demo hall loads from ``/web/``: packaged in the wheel or in the checkout."""
    from .server import PACKAGED_WEB_DIR, web_modules_dir

    folder = web_modules_dir()
    fix = "从源代码目录运行时先执行 make web（npm ci）；安装包缺文件时请重新安装完整的 wheel。"
    manifest = folder / "MANIFEST.json"
    if manifest.is_file():
        try:
            packages = json.loads(manifest.read_text(encoding="utf-8"))["packages"]
            missing = [f"{n}/{f}" for n, e in packages.items() for f in e["files"] if not (folder / n / f).is_file()]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            return Check("演示大厅", FAIL, f"{manifest} 读不出来（{exc}）。", fix)
        if missing:
            return Check("演示大厅", FAIL, f"演示大厅的前端文件不全，缺 {'、'.join(missing[:3])}。", fix)
        where = "随安装包自带" if folder == PACKAGED_WEB_DIR else f"来自 {folder}"
        return Check("演示大厅", OK, f"前端文件{where}（{len(packages)} 个库），demo 可以离线运行。")
    if (folder / "vue" / "package.json").is_file():
        return Check("演示大厅", OK, f"前端文件来自源代码目录的 {folder}。")
    return Check("演示大厅", FAIL, f"找不到演示大厅的前端文件（{folder}）。", fix)


def check_cdp(endpoint: str) -> Check:
    """A browser started with remote debugging answers ``/json/version``."""
    base = endpoint.rstrip("/")
    if base.startswith(("ws://", "wss://")):
        base = "http" + base[2:].split("/devtools", 1)[0]
    fix = ("先关闭这个浏览器的所有窗口，再用 chrome.exe（或 msedge.exe）--remote-debugging-port=9222 "
           "--user-data-dir=另一个文件夹 启动后重试；公司电脑如果禁止远程调试，请不用 --cdp，直接运行 interceptor launch。")
    try:
        with urllib.request.urlopen(base + "/json/version", timeout=CDP_TIMEOUT_S) as response:
            info = json.loads(response.read().decode("utf-8", errors="replace"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Check("远程调试", FAIL, f"{endpoint} 连不上（{_why_unreachable(exc)}）。", fix)
    browser = info.get("Browser", "未知浏览器") if isinstance(info, dict) else "未知浏览器"
    return Check("远程调试", OK, f"{endpoint} 可以连接（{browser}）。")


def _why_unreachable(exc: Exception) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        return "连接被拒绝：这个端口上没有浏览器在等待连接"
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"等了 {CDP_TIMEOUT_S:g} 秒没有回应"
    if isinstance(reason, socket.gaierror):
        return "地址里的主机名找不到"
    if isinstance(exc, urllib.error.HTTPError):
        return f"那里不是浏览器的远程调试端口（HTTP {exc.code}）"
    if isinstance(exc, ValueError):
        return "那里不是浏览器的远程调试端口，或地址写法不对（应如 http://127.0.0.1:9222）"
    return str(reason)


def run_checks(*, profile: Path | None = None, cdp: str | None = None, browser: str | None = None) -> list[Check]:
    folder = profile or default_profile()
    checks = [
        check_version(),
        check_browser(browser),
        check_display(),
        check_fonts(),
        check_ocr(),
        check_profile(folder),
        check_event_log(folder),
        check_rules(),
        check_demo_assets(),
    ]
    if cdp:
        checks.append(check_cdp(cdp))
    return checks


def _marks(encoding: str | None) -> dict[str, str]:
    """✔ ⚠ ✘, or √ ! × where the console cannot show them (a GBK console on Windows)."""
    marks = {OK: "✔", WARN: "⚠", FAIL: "✘"}
    try:
        "".join(marks.values()).encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return {OK: "√", WARN: "!", FAIL: "×"}
    return marks


def render(checks: list[Check], encoding: str | None = "utf-8") -> str:
    marks = _marks(encoding)
    lines = []
    for check in checks:
        lines.append(f"{marks[check.status]} {check.name}：{check.detail}")
        if check.fix and check.status != OK:
            lines.append(f"    解决办法：{check.fix}")
    failed = sum(1 for c in checks if c.status == FAIL)
    warned = sum(1 for c in checks if c.status == WARN)
    if failed:
        lines.append(f"有 {failed} 项需要处理：按上面的“解决办法”做完后，再运行一次 interceptor doctor。")
    elif warned:
        lines.append(f"可以使用，有 {warned} 项提醒（见上）。")
    else:
        lines.append("一切正常，可以使用。")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """``interceptor doctor``: 0 when everything needed works, 1 otherwise."""
    profile = Path(args.profile).expanduser() if getattr(args, "profile", None) else None
    checks = run_checks(profile=profile, cdp=getattr(args, "cdp", None), browser=getattr(args, "browser", None))
    print(render(checks, getattr(sys.stdout, "encoding", None)), flush=True)
    return 1 if any(c.status == FAIL for c in checks) else 0
