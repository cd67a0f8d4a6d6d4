"""``interceptor rules check`` speaks to rule authors in Chinese, at the exact line."""

from __future__ import annotations

from pathlib import Path

import pytest
from plain_chinese import english_sentences

from interceptor.cli import main

RULE = """\
rules:
  - id: unit-info-missing
    title: 单位信息取不到
    message: 未获取到单位基本信息
    patterns:
      - 未获取到单位基本信息
    remedy:
      who: [单位]
      summary: 说明。
      steps:
        - 第一步。
    source: {general: true}
    examples:
      match:
        - 保存失败：未获取到单位基本信息
      no_match:
        - 单位基本信息
        - 单位基本信息查询
"""


def _check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["rules", "check", str(path)])
    captured = capsys.readouterr()
    lines = [line.split(": ", 1)[0].rsplit(":", 1)[-1] for line in captured.out.splitlines()]
    return code, lines, captured.out + captured.err


def test_a_good_file_passes_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, said = _check(tmp_path, RULE, capsys)
    assert code == 0 and "检查通过：1 条规则" in said and "OK" not in said


@pytest.mark.parametrize("pattern", ["未获取到.*单位基本信息", r"未获取到\d+条", "^未获取到单位基本信息$", "未获取到(单位|人员)基本信息"])
def test_a_regex_looking_pattern_is_flagged_at_its_line(
    pattern: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = RULE.replace("      - 未获取到单位基本信息\n", f"      - '{pattern}'\n")
    code, lines, said = _check(tmp_path, text, capsys)
    assert code == 1 and lines[0] == "6" and "正则表达式" in said and "值的位置" in said


def test_a_failing_no_match_example_is_reported_at_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = RULE.replace("        - 单位基本信息查询\n", "        - 提示：未获取到单位基本信息\n")
    code, lines, said = _check(tmp_path, text, capsys)
    assert code == 1 and lines == ["18"], said


def test_problems_come_in_line_order_and_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = RULE.replace("    title: 单位信息取不到\n", "    titel: 单位信息取不到\n").replace(
        "      who: [单位]\n", "      who: [老板]\n")
    code, lines, said = _check(tmp_path, text, capsys)
    assert code == 1 and [int(n) for n in lines] == sorted(int(n) for n in lines) and len(lines) >= 2
    assert "发现" in said and "个问题" in said and "problem(s)" not in said
    assert "'who' 的值不在允许的范围内" in said and "'单位'、'员工'、'经办机构'" in said
    assert not english_sentences(said), english_sentences(said)


def test_an_empty_folder_is_named_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "emptydir"
    empty.mkdir()
    assert main(["rules", "check", str(empty)]) == 1
    said = capsys.readouterr()
    assert f"{empty} 里没有规则文件" in said.out and "['" not in said.out


def _worked_example() -> str:
    readme = (Path(__file__).parent.parent / "rules" / "README.md").read_text(encoding="utf-8")
    part = readme.split("## 动手做一遍", 1)[1]
    return part.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_readme_worked_example_works_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "我的规则.yaml"
    mine.write_text(_worked_example(), encoding="utf-8")
    assert main(["rules", "check", str(mine)]) == 0
    assert "检查通过：1 条规则、0 个常见问题，3 个例子全部通过。" in capsys.readouterr().out
    assert main(["classify", "--json", "--rules", str(mine), "保存失败：系统正在维护，请稍后再试"]) == 0
    assert '"rule": "system-maintenance"' in capsys.readouterr().out
    broken = tmp_path / "坏的.yaml"
    broken.write_text(_worked_example().replace("      - 系统正在维护\n", "      - 系统.*维护\n"), encoding="utf-8")
    assert main(["rules", "check", str(broken)]) == 1
    assert f"{broken}:6: 规则 'system-maintenance' 的模式 '系统.*维护' 看起来像正则表达式" in capsys.readouterr().out


def test_the_readme_worked_example_on_a_screenshot_and_a_saved_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(__file__).parent.parent
    mine = tmp_path / "我的规则.yaml"
    mine.write_text(_worked_example(), encoding="utf-8")
    shot = root / "fixtures" / "shots" / "images" / "girder-unknown-s1.png"
    assert main(["shots", str(shot), "--rules", str(mine), "--no-cache"]) == 0
    assert "大厅系统正在维护，稍后再办" in capsys.readouterr().out
    page = root / "fixtures" / "pages" / "demo-unknown-maintenance"
    assert main(["replay", str(page), "--rules", str(mine), "--wait", "1"]) == 0
    assert "页面提示：大厅系统正在维护，稍后再办" in capsys.readouterr().out
