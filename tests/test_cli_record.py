"""``record`` and ``launch`` as a clerk meets them: no display, how a session ends, a
recording that failed, ``record --demo``, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from plain_chinese import english_sentences

from interceptor.cli import main
from interceptor.errors import EXIT_ENVIRONMENT, NO_DISPLAY
from interceptor.launch import how_it_ends
from interceptor.recording import RECORDING_META

ROOT = Path(__file__).parent.parent


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")


@pytest.mark.usefixtures("no_display")
@pytest.mark.parametrize(
    "argv",
    [["record", "--demo", "--out", "{tmp}/rec"], ["launch", "--demo", "--profile", "{tmp}/profile"]],
)
def test_no_display_says_so_and_suggests_headless(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(tmp=tmp_path) for a in argv]) == EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert err.strip() == NO_DISPLAY and "--headless" in err and "找不到显示器" in err
    assert not (tmp_path / "rec").exists()


def test_how_a_session_ends_matches_its_options() -> None:
    assert "关闭浏览器" in how_it_ends(headless=False, duration=None)
    assert "关闭浏览器" not in how_it_ends(headless=True, duration=None)
    assert "30 秒后自动结束" in how_it_ends(headless=True, duration=30)


def test_a_failed_recording_leaves_no_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec"
    assert main(["record", "http://127.0.0.1:9/", "--out", str(out), "--headless", "--duration", "1"]) == 1
    err = capsys.readouterr().err
    assert "无法录制" in err and not english_sentences(err), err
    assert not out.exists()


def test_a_failed_recording_into_an_existing_folder_keeps_what_was_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rec"
    out.mkdir()
    (out / "mine.txt").write_text("我的文件", encoding="utf-8")
    assert main(["record", "http://127.0.0.1:9/", "--out", str(out), "--headless", "--duration", "1"]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]
    assert main(["replay", str(out), "--wait", "0"]) == 1  # not a recording: said at once
    assert "不是录制目录" in capsys.readouterr().err


def test_record_demo_records_the_demo_hall(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec"
    assert main(["record", "--demo", "--out", str(out), "--headless", "--duration", "2"]) == 0
    printed = capsys.readouterr().out
    assert "录制完成" in printed and "interceptor replay" in printed
    meta = json.loads((out / RECORDING_META).read_text(encoding="utf-8"))
    assert meta["url"].startswith("http://127.0.0.1:")


def test_record_wants_a_url_or_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "--out", str(tmp_path / "r")]) == 2
    assert main(["record", "http://x/", "--demo", "--out", str(tmp_path / "r")]) == 2
    assert "--demo" in capsys.readouterr().err


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM is a POSIX signal")
def test_sigterm_ends_a_session_in_order(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "interceptor.cli", "launch", "--demo", "--headless", "--profile", str(tmp_path / "p")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    started = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        started += line
        if "按 Ctrl-C 结束" in line or not line:
            break
    assert "浏览器在后台运行" in started, started
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "收到结束信号" in out and "Traceback" not in err and "BrokenPipe" not in err
