"""Malformed rule files are refused with path:line and a sentence, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from interceptor import RuleFileErrors, load_rules
from interceptor.classify import check_rules
from interceptor.cli import main
from interceptor.rules import bundled_rules_dir

GOOD_RULE = """\
rules:
  - id: sample-error
    title: 示例
    message: 示例报错内容
    patterns: [示例报错内容]
    remedy:
      who: [单位]
      summary: 示例说明
      steps: [第一步]
    source: {part: 一, item: 1}
    examples:
      match: [保存失败：示例报错内容]
      no_match: [示例]
"""


def _write(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path | list[Path]) -> list[str]:
    paths = path if isinstance(path, list) else [path]
    return [p.location_text() for p in check_rules(paths)]


def test_a_good_file_loads_and_classifies(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_RULE)
    assert _problems(path) == []
    assert load_rules([path]).classify("出错了：示例报错内容") is not None


@pytest.mark.parametrize(
    ("replace", "by", "line", "words"),
    [
        ("    title: 示例\n", "    title: 示例\n    titel: 多余\n", 4, "不是已知的键"),
        ("    title: 示例\n", "    title: 示例\n    title: 重复\n", 4, "写了两次"),
        ("      steps: [第一步]\n", "", 6, "缺少键 'steps'"),
        (
            "    remedy:\n      who: [单位]\n      summary: 示例说明\n      steps: [第一步]\n",
            "",
            2,
            "缺少键 'remedy'",
        ),
        ("      who: [单位]", "      who: [老板]", 7, "不在允许的范围内"),
        ("    patterns: [示例报错内容]", '    patterns: ["示例{no}"]', 2, "不是已知的值类型"),
        ("    patterns: [示例报错内容]", '    patterns: ["示例{报错"]', 5, "花括号"),
        ("      match: [保存失败：示例报错内容]", "      match: [完全无关]", 13, "应当识别为这条规则"),
        # the example's own line, not its rule's
        ("      no_match: [示例]", "      no_match: [示例报错内容]", 13, "不应识别为任何规则"),
        ("  - id: sample-error", "  - id: Sample_Error", 2, "小写"),
        ("    title: 示例", "    title: [示例", 4, "格式有误"),
    ],
)
def test_problems_point_at_the_line(tmp_path: Path, replace: str, by: str, line: int, words: str) -> None:
    assert replace in GOOD_RULE
    path = _write(tmp_path, GOOD_RULE.replace(replace, by))
    problems = _problems(path)
    assert problems, "the broken file was accepted"
    assert any(p.startswith(f"{path}:") and words in p for p in problems), problems
    located = next(p for p in problems if words in p)
    assert abs(int(located.split(":")[1]) - line) <= 1, located


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    first = _write(tmp_path, GOOD_RULE, "a.yaml")
    second = _write(tmp_path, GOOD_RULE, "b.yaml")
    problems = _problems([first, second])
    assert any(p.startswith(f"{second}:2:") and f"{first}:2" in p for p in problems), problems


def test_empty_and_non_mapping_files_are_refused(tmp_path: Path) -> None:
    assert "空的" in _problems(_write(tmp_path, ""))[0]
    assert "块" in _problems(_write(tmp_path, "- a\n- b\n", "list.yaml"))[0]


def test_load_rules_raises_one_error_listing_all_problems(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_RULE.replace("    title: 示例\n", "    titel: 示例\n"))
    with pytest.raises(RuleFileErrors) as caught:
        load_rules([path])
    text = str(caught.value)
    assert "titel" in text and "缺少键 'title'" in text


def test_rules_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check"]) == 0
    assert f"检查通过：{len(load_rules().rules)} 条规则、11 个常见问题" in capsys.readouterr().out
    bad = _write(tmp_path, "rules:\n  - id: x\n    id: y\n")
    assert main(["rules", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{bad}:3: ") and "Traceback" not in out
    assert main(["rules", "check", str(bundled_rules_dir())]) == 0
