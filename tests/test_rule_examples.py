"""Every example embedded in the bundled rule table runs as its own test."""

from __future__ import annotations

from pathlib import Path

import pytest

from interceptor import RuleSet, load_rules

_RULESET = load_rules()
SEED_IDS = {
    "flexible-employment-insured",
    "no-eligible-insured-status",
    "household-type-missing",
    "person-already-collected",
    "unemployment-benefit-overlap",
    "person-info-not-found",
    "hr-service-fields-not-allowed",
}

MATCH_CASES = [
    pytest.param(rule.id, example.text, example.captures, id=f"{rule.id}:{n}")
    for rule in _RULESET.rules
    for n, example in enumerate(rule.examples.match)
]
NEAR_MISS_CASES = [
    pytest.param(rule.id, text, id=f"{rule.id}:miss{n}")
    for rule in _RULESET.rules
    for n, text in enumerate(rule.examples.no_match)
]
QUESTION_CASES = [
    pytest.param(entry.id, text, id=f"{entry.id}:{n}")
    for entry in _RULESET.questions
    for n, text in enumerate(entry.examples.match)
]


def test_the_seed_rules_live_in_errors_yaml_one_per_seed_item(ruleset: RuleSet) -> None:
    seed = [rule for rule in ruleset.rules if rule.source.part is not None]
    assert {rule.id for rule in seed} == SEED_IDS
    assert all(Path(rule.path).name == "errors.yaml" for rule in seed)
    assert {rule.id for rule in ruleset.rules if Path(rule.path).name == "errors.yaml"} == SEED_IDS
    assert len(ruleset.questions) == 11
    assert {(r.source.part, r.source.item) for r in seed} == {("一", n) for n in range(1, 8)}
    assert {(q.source.part, q.source.item) for q in ruleset.questions} == {("二", n) for n in range(1, 12)}


def test_every_other_rule_names_a_public_source_or_says_its_remedy_is_general(ruleset: RuleSet) -> None:
    others = [rule for rule in ruleset.rules if rule.source.part is None]
    assert len(others) >= 30
    for rule in others:
        assert rule.source.ref or rule.source.general, rule.id


def test_the_seed_values_are_slots(ruleset: RuleSet) -> None:
    assert "人员信息已采集，人员编号为{person_no}" in ruleset.get("person-already-collected").patterns
    assert any("{date}" in p for p in ruleset.get("unemployment-benefit-overlap").patterns)


def test_every_rule_has_a_complete_remedy(ruleset: RuleSet) -> None:
    for rule in ruleset.rules:
        assert rule.remedy.who and rule.remedy.steps and rule.remedy.summary, rule.id
        assert rule.examples.match and rule.examples.no_match, rule.id


@pytest.mark.parametrize(("rule_id", "text", "captures"), MATCH_CASES)
def test_example_matches_its_rule(
    ruleset: RuleSet, rule_id: str, text: str, captures: dict[str, str]
) -> None:
    found = ruleset.classify(text)
    assert found is not None, text
    assert found.rule.id == rule_id
    for name, value in captures.items():
        assert found.captures[name] == value


@pytest.mark.parametrize(("rule_id", "text"), NEAR_MISS_CASES)
def test_near_miss_matches_nothing(ruleset: RuleSet, rule_id: str, text: str) -> None:
    assert ruleset.classify(text) is None


@pytest.mark.parametrize(("entry_id", "text"), QUESTION_CASES)
def test_question_example_is_answered_by_its_entry(ruleset: RuleSet, entry_id: str, text: str) -> None:
    answers = ruleset.ask(text)
    assert answers and answers[0][0].id == entry_id
