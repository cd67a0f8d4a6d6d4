"""The command line in the clerk's language: Chinese usage and errors, one sentence and an
exit code for every expected failure, output paths checked before any work, and a reader
that goes away (``| head``) ends the command quietly."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from plain_chinese import english_sentences

from interceptor import cli
from interceptor.cli import main
from interceptor.errors import (
    EXIT_CODES,
    EXIT_ENVIRONMENT,
    EXIT_INTERNAL,
    EXIT_PIPE_CLOSED,
    EXIT_USAGE,
    BrowserError,
    OutputPathError,
    RuleError,
    browser_failure,
    describe,
    page_failure,
)

INTERCEPTOR = [sys.executable, "-m", "interceptor.cli"]


def _has_latin_sentence(text: str) -> bool:
    return bool(english_sentences(text))


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["classify", "--bogus"], "不认识这些内容：--bogus"),
        ([], "缺少必须写的内容"),
        (["rules"], "缺少必须写的内容"),
        (["launch", "--channel", "firefox"], "没有 'firefox' 这个选项"),
        (["replay", "x.html", "--wait", "abc"], "不是数字"),
        (["record", "--out", "x", "--duration", "0", "http://127.0.0.1:9/"], "秒数必须大于 0"),
        (["ask"], "缺少必须写的内容"),
    ],
)
def test_usage_errors_are_chinese_and_exit_2(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert said in err and "用法：" in err and "加 --help 查看用法" in err
    assert "usage:" not in err and "error:" not in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--help"], ["classify", "--help"], ["rules", "check", "--help"], ["ask", "--help"]])
def test_help_is_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：") and "显示本帮助后退出" in out
    assert "show this help" not in out and "positional arguments" not in out and "options:" not in out


def test_help_says_rules_add_and_repeat(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("classify", "ask", "launch", "demo", "record", "replay", "shots"):
        assert main([command, "--help"]) == 0
        out = capsys.readouterr().out
        assert "--rules" in out and "--only-rules" in out and "可写多次" in out, command


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "afile"
    path.write_text("x", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["replay", "{page}", "--json", "{afile}/x.json"],
        ["replay", "{page}", "--screenshots", "{afile}/shots"],
        ["shots", "{page}", "--html", "{afile}/x.html"],
        ["shots", "{page}", "--csv", "{afile}/x.csv"],
        ["demo", "--out", "{afile}"],
        ["record", "http://127.0.0.1:9/", "--headless", "--out", "{afile}/rec"],
        ["shots", "{page}", "--json", "{tmp}"],
    ],
)
def test_an_unusable_output_path_is_refused_before_any_work(
    argv: list[str], a_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    monkeypatch.setattr("interceptor.cli.importlib.import_module", lambda name: started.append(name))
    page = tmp_path / "p.html"
    filled = [a.format(afile=a_file, page=page, tmp=tmp_path) for a in argv]
    assert main(filled) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "用不了" in err or "是一个文件夹" in err
    assert "请" in err and "Error" not in err and "Traceback" not in err
    assert started == []  # the command's module was not even loaded


def test_output_checks_accept_new_folders(tmp_path: Path) -> None:
    cli.check_output_file(tmp_path / "new" / "deeper" / "r.html", "--html")
    cli.check_output_dir(tmp_path / "new" / "out", "--out")
    with pytest.raises(OutputPathError):
        cli.check_output_file(tmp_path, "--json")


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    texts = "\n".join(["户籍性质为空"] * 5000) + "\n"
    shell = f"{' '.join(INTERCEPTOR)} classify | head -2"
    result = subprocess.run(["bash", "-c", f"set -o pipefail; {shell}"], input=texts, capture_output=True,
                            text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert result.stdout.count("\n") == 2
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert result.returncode == EXIT_PIPE_CLOSED


def test_describe_words_every_expected_failure() -> None:
    cases: list[tuple[BaseException, int, str]] = [
        (FileNotFoundError(errno.ENOENT, "No such file or directory", "a.png"), EXIT_USAGE, "找不到"),
        (NotADirectoryError(errno.ENOTDIR, "Not a directory", "afile/x"), EXIT_USAGE, "不是文件夹"),
        (FileExistsError(errno.EEXIST, "File exists", "afile"), EXIT_USAGE, "已经存在"),
        (PermissionError(errno.EACCES, "Permission denied", "/root/x"), EXIT_ENVIRONMENT, "没有权限"),
        (OSError(errno.ENOSPC, "No space left on device", "x"), EXIT_ENVIRONMENT, "磁盘空间不足"),
        (BrowserError("找不到浏览器。"), EXIT_ENVIRONMENT, "找不到浏览器"),
        (RuleError("缺少键 'steps'。", "r.yaml", 7), EXIT_USAGE, "r.yaml:7"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), EXIT_USAGE, "UTF-8"),
    ]
    for exc, code, said in cases:
        described = describe(exc)
        assert described is not None, exc
        sentence, got = described
        assert got == code and said in sentence, (exc, sentence)
        assert not _has_latin_sentence(sentence), sentence
    assert describe(ValueError("a bug")) is None


@pytest.mark.parametrize(
    ("english", "said"),
    [
        ("Missing X server or $DISPLAY", "--headless"),
        ("Failed to create a ProcessSingleton for your profile directory.", "--profile"),
        ("Target page, context or browser has been closed", "--headless"),
        ("Executable doesn't exist at /x/chrome", "interceptor doctor"),
    ],
)
def test_browser_failures_in_chinese(english: str, said: str) -> None:
    sentence = browser_failure(english)
    assert said in sentence and not _has_latin_sentence(sentence)


@pytest.mark.parametrize(
    ("english", "said"),
    [
        ("Page.goto: net::ERR_NAME_NOT_RESOLVED at http://x/", "找不到这个网址的服务器"),
        ("Page.goto: Timeout 30000ms exceeded.", "规定时间内没有打开"),
        ("Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:1/", "拒绝连接"),
        ("Page.goto: net::ERR_BLOCKED_BY_CLIENT", "ERR_BLOCKED_BY_CLIENT"),
    ],
)
def test_page_failures_in_chinese(english: str, said: str) -> None:
    sentence = page_failure(english)
    assert said in sentence and not _has_latin_sentence(sentence)


def test_a_fault_of_our_own_is_one_sentence_and_a_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from interceptor import commands

    def broken(_args: object) -> int:
        raise ValueError("a bug of ours")

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(commands, "run_classify", broken)
    assert main(["classify", "x"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "助手自身出了问题" in err and "Traceback" not in err
    [saved] = list(tmp_path.glob("interceptor-error-*.txt"))
    assert "a bug of ours" in saved.read_text(encoding="utf-8")
    assert (saved.stat().st_mode & 0o077) == 0 or os.name == "nt"


def test_the_exit_code_table_is_complete() -> None:
    assert set(EXIT_CODES) == {0, 1, 2, 3, 4, 130, 141}
    assert all(not _has_latin_sentence(words) for words in EXIT_CODES.values())


def test_ctrl_c_exits_130(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from interceptor import commands

    def interrupted(_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "run_classify", interrupted)
    assert main(["classify", "x"]) == 130
    assert "已中断" in capsys.readouterr().err
