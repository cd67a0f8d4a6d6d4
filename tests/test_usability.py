"""The issue's list of ordinary mistakes, run as a new user would: every command ends with a
Chinese sentence, never a traceback, and no English sentence in what a person reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from plain_chinese import english_sentences

ROOT = Path(__file__).parent.parent
PAGE = ROOT / "fixtures" / "pages" / "girder-error-modal"
SHOT = ROOT / "fixtures" / "shots" / "images" / "girder-unknown-s1.png"
BAD_WHO = """\
rules:
  - id: my-rule
    title: 标题
    message: 参保月份超出范围
    patterns: [参保月份超出范围]
    remedy:
      who: [老板]
      summary: 说明。
      steps: [第一步。]
    source: {general: true}
    examples:
      match: [参保月份超出范围]
"""


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("usability")
    (folder / "afile").write_text("x", encoding="utf-8")
    (folder / "bad.yaml").write_text(BAD_WHO, encoding="utf-8")
    (folder / "regex.yaml").write_text(BAD_WHO.replace("[老板]", "[单位]").replace(
        "patterns: [参保月份超出范围]", "patterns: ['参保月份.*超出范围']"), encoding="utf-8")
    (folder / "good.yaml").write_text(BAD_WHO.replace("[老板]", "[单位]") + "      no_match: [参保月份]\n",
                                      encoding="utf-8")
    (folder / "emptydir").mkdir()
    return folder


# (what the issue said, the command line, bytes on standard input, the exit code expected)
CASES: list[tuple[str, list[str], bytes | None, int]] = [
    ("1 replay --json into a file", ["replay", str(PAGE), "--json", "{p}/afile/x.json"], None, 2),
    ("1 shots --html into a file", ["shots", str(SHOT), "--html", "{p}/afile/x.html"], None, 2),
    ("1 demo --out on a file", ["demo", "--out", "{p}/afile"], None, 2),
    ("1 record --out on a file", ["record", "--demo", "--headless", "--out", "{p}/afile"], None, 2),
    ("2 record without a display", ["record", "--demo", "--out", "{p}/rec-nodisplay"], None, 3),
    ("2 launch without a display", ["launch", "--demo", "--profile", "{p}/profile"], None, 3),
    ("3 --rules adds", ["classify", "--rules", "{p}/good.yaml", "户籍性质为空", "参保月份超出范围"], None, 0),
    ("3 help of --rules", ["replay", "--help"], None, 0),
    ("4 a failed record", ["record", "http://127.0.0.1:9/", "--headless", "--duration", "1", "--out",
                           "{p}/rec-failed"], None, 1),
    ("4 replay of a failed record", ["replay", "{p}/rec-failed", "--wait", "0"], None, 1),
    ("5 rules check with a wrong who", ["rules", "check", "{p}/bad.yaml"], None, 1),
    ("5 rules check passes", ["rules", "check"], None, 0),
    ("5 replay of an unreachable page", ["replay", "http://127.0.0.1:9/", "--wait", "0"], None, 1),
    ("5 usage error", ["classify", "--jsn"], None, 2),
    ("5 unknown command", ["clasify", "户籍性质为空"], None, 2),
    ("6 regex-looking pattern", ["rules", "check", "{p}/regex.yaml"], None, 1),
    ("6 empty folder", ["rules", "check", "{p}/emptydir"], None, 1),
    ("7 ask an ordinary phrasing", ["ask", "员工停保日期填错了能改吗"], None, 0),
    ("7 ask about an error", ["ask", "提示户籍性质为空怎么办"], None, 0),
    ("7 ask off-topic", ["ask", "公积金怎么交"], None, 0),
    ("7 ask --limit 0", ["ask", "社保从几月份开始交", "--limit", "0"], None, 2),
    ("8 GBK input", ["classify"], "保存失败：户籍性质为空\n".encode("gbk"), 0),
    ("8 a long text", ["classify"], ("户籍性质为空" + "啊" * 210_000 + "\n").encode(), 0),
    ("8 captured person number", ["classify", "保存失败：人员信息己采集，人员编号为 3205 0012 3456"], None, 0),
    ("10 launch headless for a while", ["launch", "--demo", "--headless", "--duration", "2", "--profile",
                                        "{p}/profile"], None, 0),
]


def _run(argv: list[str], place: Path, data: bytes | None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "interceptor.cli", *(a.format(p=place) for a in argv)],
        input=data, capture_output=True, timeout=180, cwd=place, env=env,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the no-display cases are Linux's")
@pytest.mark.parametrize(("said", "argv", "data", "code"), CASES, ids=[c[0] for c in CASES])
def test_an_ordinary_mistake_gets_a_chinese_sentence(
    said: str, argv: list[str], data: bytes | None, code: int, place: Path
) -> None:
    result = _run(argv, place, data)
    shown = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert "Traceback" not in shown, shown
    assert not english_sentences(shown), english_sentences(shown)
    assert result.returncode == code, shown
    assert shown.strip(), "a command must say something"


def test_a_closed_pipe_is_quiet(place: Path) -> None:
    command = f"{sys.executable} -m interceptor.cli classify | head -2"
    result = subprocess.run(["bash", "-c", command], input="户籍性质为空\n" * 5000, capture_output=True,
                            text=True, timeout=120, cwd=place)
    assert result.stderr == "" and result.stdout.count("\n") == 2


SHOTS_CASES = [
    ("9 a misspelt folder", ["shots", "{p}/no-such-folder"]),
    ("9 an empty folder", ["shots", "{p}/emptydir"]),
]


@pytest.mark.parametrize(("said", "argv"), SHOTS_CASES, ids=[c[0] for c in SHOTS_CASES])
def test_shots_mistakes_get_a_chinese_sentence(said: str, argv: list[str], place: Path) -> None:
    result = _run(argv, place, None)
    shown = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert "Traceback" not in shown and not english_sentences(shown), shown
    assert result.returncode != 0
