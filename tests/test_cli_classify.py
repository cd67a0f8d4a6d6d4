"""``interceptor classify`` takes what a clerk's PC gives it: GBK text, long pastes, a
terminal without a pipe; it writes valid UTF-8 and masks what it captures. ``--rules`` adds
to the bundled rules, ``--only-rules`` replaces them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from interceptor.cli import main
from interceptor.commands import PROMPT, decode_input, repair_argument

ROOT = Path(__file__).parent.parent
MY_RULE = """\
rules:
  - id: my-new-error
    title: 我的新报错
    message: 参保月份超出范围
    patterns: [参保月份超出范围]
    remedy:
      who: [单位]
      summary: 说明。
      steps: [重新选择参保月份。]
    source: {general: true}
    examples:
      match: [保存失败：参保月份超出范围]
      no_match: [参保月份]
"""


def _run(*args: str, data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "interceptor.cli", *args], input=data, capture_output=True,
                          timeout=120, cwd=ROOT)


def test_gbk_input_is_decoded_and_said() -> None:
    result = _run("classify", "--json", data="保存失败：户籍性质为空\n".encode("gbk"))
    assert result.returncode == 0
    [record] = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert record["rule"] == "household-type-missing"
    assert "GBK" in result.stderr.decode("utf-8")


def test_undecodable_bytes_are_said_and_the_output_stays_utf8() -> None:
    result = _run("classify", "--json", data=b"\xff\xfe\x80abc\n")
    result.stdout.decode("utf-8")  # raises if any byte is invalid
    assert "UTF-8" in result.stderr.decode("utf-8")


def test_a_gbk_argument_is_repaired() -> None:
    raw = "户籍性质为空".encode("gbk").decode("utf-8", errors="surrogateescape")
    text, note = repair_argument(raw)
    assert text == "户籍性质为空" and note is not None and "GBK" in note
    assert decode_input("户籍".encode("utf-8-sig")) == ("户籍", None)


def test_a_long_text_is_cut_with_notice(capsys: pytest.CaptureFixture[str]) -> None:
    text = "保存失败：户籍性质为空" + "啊" * 250_000
    assert main(["classify", text]) == 0
    captured = capsys.readouterr()
    assert "只识别了前 200000 个字" in captured.err
    assert len(captured.out) < 5_000 and "只显示前" in captured.out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    @property
    def buffer(self) -> io.BytesIO:
        return io.BytesIO("户籍性质为空\n".encode())


def test_a_terminal_gets_a_prompt(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal())
    assert main(["classify"]) == 0
    captured = capsys.readouterr()
    assert PROMPT in captured.err and "户籍性质" in captured.out


def test_a_pipe_gets_no_prompt() -> None:
    result = _run("classify", data="户籍性质为空\n".encode())
    assert PROMPT not in result.stderr.decode("utf-8")


def test_captures_are_masked_with_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    text = "保存失败：人员信息己采集，人员编号为 3205 0012 3456"
    assert main(["classify", "--json", text]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["captures"]["person_no"].endswith("3456") and "32050012" not in json.dumps(record)
    assert main(["classify", text]) == 0
    assert "320500123456" not in capsys.readouterr().out
    assert main(["classify", "--json", "--no-mask", text]) == 0
    assert json.loads(capsys.readouterr().out)["captures"]["person_no"] == "320500123456"


def test_rules_adds_to_the_bundled_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "my.yaml"
    mine.write_text(MY_RULE, encoding="utf-8")
    assert main(["classify", "--json", "--rules", str(mine), "户籍性质为空", "参保月份超出范围"]) == 0
    rules = [json.loads(line)["rule"] for line in capsys.readouterr().out.splitlines()]
    assert rules == ["household-type-missing", "my-new-error"]
    assert main(["classify", "--json", "--only-rules", str(mine), "户籍性质为空", "参保月份超出范围"]) == 0
    rules = [json.loads(line)["rule"] for line in capsys.readouterr().out.splitlines()]
    assert rules == [None, "my-new-error"]


def test_rules_is_repeatable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text(MY_RULE, encoding="utf-8")
    two.write_text(MY_RULE.replace("my-new-error", "my-other-error").replace("参保月份超出范围", "缴费月份超出范围"),
                   encoding="utf-8")
    assert main(["classify", "--json", "--rules", str(one), "--rules", str(two), "参保月份超出范围",
                 "缴费月份超出范围"]) == 0
    rules = [json.loads(line)["rule"] for line in capsys.readouterr().out.splitlines()]
    assert rules == ["my-new-error", "my-other-error"]


def test_a_broken_rule_file_is_said_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: x\n", encoding="utf-8")
    assert main(["classify", "--rules", str(bad), "户籍性质为空"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "interceptor rules check" in err and "Traceback" not in err
