"""OCR-aware matching: a misread undone only where the recogniser was unsure, the pair was
learned from OCR output, no meaning-bearing character is touched and the whole rule matches;
near misses and success messages stay unmatched under the same perturbations."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from interceptor import RuleSet, load_rules
from interceptor.ocr import OcrLine
from interceptor.ocr_match import PROTECTED, Confusions, find_with_confusions, load_confusions, variants

REPO = Path(__file__).resolve().parent.parent
TABLE = load_confusions()
RULES = load_rules()
SUCCESS = ["人员信息采集成功，人员编号为3200017654", "保存成功", "该人员不是灵活就业参保人员，请继续办理。"]
NEAR_MISSES = [text for rule in RULES if rule.severity != "info" for text in rule.examples.no_match]


def read_as(text: str, unsure: dict[int, float] | None = None) -> OcrLine:
    scores = [0.99] * len(text)
    for i, score in (unsure or {}).items():
        scores[i] = score
    return OcrLine(text, (0, 0, 20 * len(text), 20), 0.9, chars=tuple(scores))


def test_table_is_learned_data_not_a_hand_list() -> None:
    raw = json.loads((REPO / "interceptor" / "ocr_confusions.json").read_text(encoding="utf-8"))
    assert "learn_confusions.py" in raw["made_by"]
    assert sum(raw["counts"].values()) >= len(raw["counts"]) > 10
    assert not PROTECTED & set(raw["pairs"])
    assert not PROTECTED & {c for alts in raw["pairs"].values() for c in alts}


def test_unsure_learned_misread_is_undone(ruleset: RuleSet) -> None:
    assert "籍" in TABLE.alternatives("精")
    found = find_with_confusions([read_as("户精性质为空", {1: 0.5})], ruleset)
    assert [(m.rule.id, text) for _, m, text in found] == [("household-type-missing", "户籍性质为空")]


def test_confident_misread_is_not_undone(ruleset: RuleSet) -> None:
    assert find_with_confusions([read_as("户精性质为空", {1: 0.97})], ruleset) == []
    assert find_with_confusions([OcrLine("户精性质为空", (0, 0, 1, 1), 0.5)], ruleset) == []  # no scores


def test_pair_not_learned_is_not_tried(ruleset: RuleSet) -> None:
    table = Confusions({"精": ("籍",)})
    assert find_with_confusions([read_as("户箱性质为空", {1: 0.3})], ruleset, table) == []


def test_meaning_bearing_characters_are_never_swapped(ruleset: RuleSet) -> None:
    table = Confusions({"不": ("为",), "成": ("失",), "功": ("败",), "已": ("未",)})
    assert variants(read_as("该人员不是灵活就业参保人员", {3: 0.1}), table) == []
    line = read_as("保存成功：没有符合该人员的参保身份", {2: 0.1, 3: 0.1})
    assert variants(line, table) == []


def test_rest_of_the_sentence_must_match_in_order(ruleset: RuleSet) -> None:
    table = Confusions({"精": ("籍",)})
    assert find_with_confusions([read_as("性质户精为空", {3: 0.1})], ruleset, table) == []


perturbations = st.lists(st.tuples(st.integers(0, 80), st.floats(0.0, 0.89)), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(NEAR_MISSES + SUCCESS), perturbations)
def test_near_misses_and_success_messages_stay_unmatched(text: str, unsure: list[tuple[int, float]]) -> None:
    # Every character may be unsure; the learned table may offer any swap it knows.
    line = read_as(text, {i % len(text): s for i, s in unsure})
    exact = {m.rule.id for m in RULES.find_all(text) if m.score == 1.0}
    for _, match, _ in find_with_confusions([line], RULES):
        assert match.rule.id in exact, (text, match.rule.id)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NEAR_MISSES + SUCCESS))
def test_near_misses_stay_unmatched_when_every_character_is_unsure(text: str) -> None:
    line = read_as(text, dict.fromkeys(range(len(text)), 0.1))
    exact = {m.rule.id for m in RULES.find_all(text) if m.score == 1.0}
    assert {m.rule.id for _, m, _ in find_with_confusions([line], RULES)} <= exact
