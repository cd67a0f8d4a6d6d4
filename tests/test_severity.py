"""Severity: info rules are marked as quiet tips everywhere a rule leaves the classifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interceptor import RuleSet, load_rules
from interceptor.classify import check_rules
from interceptor.cli import main

INFO_IDS = {"old-browser-warning", "password-too-weak", "stop-insurance-tax-deadline"}

RULE = """\
rules:
  - id: sample-tip
    title: 示例
    message: 示例提示内容
    severity: {severity}
    patterns: [示例提示内容]
    remedy: {{who: [单位], summary: 示例, steps: [第一步]}}
    source: {{general: true}}
    examples:
      match: [示例提示内容]
      no_match: [示例]
"""


def test_the_bundled_info_rules_are_the_tips(ruleset: RuleSet) -> None:
    assert {rule.id for rule in ruleset.rules if rule.severity == "info"} == INFO_IDS


def test_a_rule_is_an_error_unless_it_says_otherwise(ruleset: RuleSet) -> None:
    rule = ruleset.get("household-type-missing")
    assert rule.severity == "error" and rule.to_dict()["severity"] == "error"


def test_rule_and_match_views_carry_the_severity(ruleset: RuleSet) -> None:
    found = ruleset.classify("您的密码复杂度不够，请先进行修改。")
    assert found is not None
    assert found.rule.to_dict()["severity"] == "info"
    assert found.to_dict()["severity"] == "info"
    assert {r["id"]: r["severity"] for r in ruleset.watch_config()["rules"]}["password-too-weak"] == "info"


def test_classify_json_prints_the_severity(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--json", "当前时间办理人员停保，发送税务缴费截止时间为2026年08月", "户籍性质为空"]) == 0
    tip, error = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert tip["severity"] == "info" and tip["captures"] == {"month": "2026年08月"}
    assert error["severity"] == "error"


def test_an_unknown_severity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE.format(severity="warning"), encoding="utf-8")
    problems = [p.location_text() for p in check_rules([path])]
    assert any(p.startswith(f"{path}:5:") and "severity" in p for p in problems), problems
    path.write_text(RULE.format(severity="info"), encoding="utf-8")
    assert check_rules([path]) == []
    assert load_rules([path]).get("sample-tip").severity == "info"
