"""Sentence spotting in the recogniser's frame probabilities (interceptor.spotting).

The first part builds frame probabilities by hand, so each acceptance rule is seen to decide:
unsure characters are filled in, a clearly different character, a negation, a guard
(如提示“…”) or an ``exclude`` phrase refuses the sentence. The second part reads rendered chat
copies of banner lines with the real engine: no rule is ever spotted in a near miss, success,
info or menu text that the classifier does not find in the text itself.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interceptor import RuleSet, load_rules
from interceptor.classify import GUARDS_AFTER, GUARDS_BEFORE
from interceptor.ocr import OcrLine, RapidOcrEngine, pick_backend
from interceptor.shots import Reading, result_from_reading, rules_fingerprint
from interceptor.spotting import MAX_PROTECTED, LineScorer, keywords, spot

REPO = Path(__file__).resolve().parent.parent
sys.path.append(str(REPO / "scripts"))

from calibrate_spotting import QUICK, false_positives, render, rival_texts, sentences  # noqa: E402

RULES = load_rules()
FLEXIBLE = "该人员为灵活就业参保人员"
NO_STATUS = "没有符合该人员的参保身份"

# A small alphabet: every character the rule table and these tests use.
_TEXTS = [
    *(p for r in RULES for p in r.patterns),
    *(t for r in RULES for t in (*r.examples.no_match, *r.exclude)),
    *GUARDS_BEFORE,
    *GUARDS_AFTER,
    "保存失败：，。“”更进总设是请核实先效的人员户籍性质为空请先到个人中心维护精加",
]
CLASSES = {c: i + 1 for i, c in enumerate(sorted({c for t in _TEXTS for c in t}))}

Frame = str | dict[str, float]


def frames(*parts: Frame | list[Frame]) -> Any:
    """Log-probabilities for a line: each part is a sure character, or {character: probability}
    for an unsure frame; a blank frame follows each character."""
    flat: list[Frame] = []
    for part in parts:
        if (isinstance(part, str) and len(part) > 1) or isinstance(part, list):
            flat.extend(part)
        else:
            flat.append(part)
    rows = []
    size = len(CLASSES) + 1
    for frame in flat:
        for probabilities in (({frame: 0.98} if isinstance(frame, str) else frame), {"": 0.98}):
            row = np.full(size, 1e-9, dtype=np.float64)
            for char, p in probabilities.items():
                row[0 if char == "" else CLASSES[char]] = p
            rows.append(np.log(row / row.sum()))
    return np.array(rows, dtype=np.float32)


def read(parts: list[Frame]) -> str:
    return "".join(p if isinstance(p, str) else max(p, key=lambda c: p[c]) for p in parts)


def unsure(text: str, where: dict[int, dict[str, float]]) -> list[Frame]:
    return [where.get(i, c) for i, c in enumerate(text)]


def test_a_sure_reading_costs_nothing_and_the_words_around_it_are_free() -> None:
    scorer = LineScorer(frames("保存失败：", FLEXIBLE, "，请核实"), CLASSES)
    path = scorer.cost(FLEXIBLE)
    assert path is not None and path.total == pytest.approx(0, abs=1e-3)
    assert scorer.cost("该人员为退休人员") is None or scorer.cost("该人员为退休人员").total > 20  # type: ignore[union-attr]
    assert scorer.cost("ß") is None  # a character the recogniser does not know


def test_unsure_characters_are_filled_in_from_the_recognisers_second_choices(ruleset: RuleSet) -> None:
    # Read as 该人员为更活就业参保人进: the right characters were the runners-up.
    line = unsure(FLEXIBLE, {4: {"更": 0.6, "灵": 0.35}, 11: {"进": 0.55, "员": 0.4}})
    found = spot("保存失败：" + read(line), frames("保存失败：", line), CLASSES, ruleset)
    assert found is not None and found.rule == "flexible-employment-insured"
    assert found.line == "保存失败：" + FLEXIBLE
    assert 0 < found.mean < 1


def test_a_character_read_for_sure_as_another_is_refused(ruleset: RuleSet) -> None:
    line = unsure(FLEXIBLE, {4: {"更": 0.999999, "灵": 1e-7}})
    assert spot(read(line), frames(line), CLASSES, ruleset) is None


def test_a_negation_in_the_line_is_never_read_away(ruleset: RuleSet) -> None:
    # 该人员不是灵活就业参保人员, read clearly: the sentence would have to drop 不是.
    assert spot("该人员不是灵活就业参保人员", frames("该人员不是灵活就业参保人员"), CLASSES, ruleset) is None
    # An unsure 不 between two characters still loses to the sentence with a negation in it.
    line: list[Frame] = [*"该人员", {"不": 0.5, "为": 0.45}, *"灵活就业参保人员"]
    assert spot(read(line), frames(line), CLASSES, ruleset) is None


def test_a_meaning_bearing_character_is_only_taken_when_the_recogniser_found_it_likely(
    ruleset: RuleSet,
) -> None:
    likely = unsure(NO_STATUS, {0: {"设": 0.6, "没": 0.35}, 10: {"总": 0.6, "身": 0.3}})
    found = spot(read(likely), frames(likely), CLASSES, ruleset)
    assert found is not None and found.rule == "no-eligible-insured-status"
    p = 0.98 * math.exp(-MAX_PROTECTED - 1)  # 没 costs more than MAX_PROTECTED
    unlikely = unsure(NO_STATUS, {0: {"设": 0.98, "没": p}})
    assert spot(read(unlikely), frames(unlikely), CLASSES, ruleset) is None


@pytest.mark.parametrize(
    "before, after",
    [("如提示“", "”，请刷新页面"), ("", "怎么办"), ("若出现", "时")],
)
def test_the_message_quoted_or_asked_about_is_not_the_message(
    ruleset: RuleSet, before: str, after: str
) -> None:
    line = unsure(FLEXIBLE, {4: {"更": 0.6, "灵": 0.35}})
    # The guard itself garbled too: its first character unsure.
    guard: list[Frame] = [{"加": 0.55, before[0]: 0.4}, *before[1:]] if before else []
    parts = [*guard, *line, *after]
    assert spot(read(parts), frames(parts), CLASSES, ruleset) is None


def test_a_rules_exclude_phrase_holds_for_spotted_sentences(ruleset: RuleSet) -> None:
    # A form's own hint: 户籍性质为空的人员请先到个人中心维护户籍性质 (excluded by the rule).
    line: list[Frame] = [*"户", {"精": 0.6, "籍": 0.35}, *"性质为空的人员请先到个人中心维护户籍性质"]
    assert spot(read(line), frames(line), CLASSES, ruleset) is None
    error: list[Frame] = [*"户", {"精": 0.6, "籍": 0.35}, *"性质为空，请核实"]
    found = spot(read(error), frames(error), CLASSES, ruleset)
    assert found is not None and found.rule == "household-type-missing"


@settings(max_examples=60, deadline=None)
@given(
    text=st.sampled_from([t for r in RULES if r.severity != "info" for t in r.examples.no_match]),
    doubt=st.lists(st.tuples(st.integers(0, 40), st.floats(0.4, 0.9)), max_size=4),
)
def test_near_misses_with_unsure_characters_spot_nothing_the_text_does_not_hold(
    text: str, doubt: list[tuple[int, float]]
) -> None:
    # Each unsure frame spreads its doubt over the characters of every sentence.
    alternatives = sorted({c for k in keywords(RULES) for c in k.text})
    parts: list[Frame] = []
    for i, c in enumerate(text):
        share = dict(doubt).get(i)
        if share is None or c not in CLASSES:
            parts.append(c)
            continue
        other = alternatives[(i * 7) % len(alternatives)]
        parts.append({c: share, other: 1 - share} if other != c else c)
    parts = [p for p in parts if not isinstance(p, str) or p in CLASSES]
    found = spot(read(parts), frames(parts), CLASSES, RULES)
    allowed = {m.rule.id for m in RULES.find_all(text)}
    assert found is None or found.rule in allowed


def test_sentences_with_slots_and_info_rules_are_not_spotted() -> None:
    table = keywords(RULES)
    assert table and all("{" not in k.text for k in table)
    info = {r.id for r in RULES if r.severity == "info"}
    assert not info & {k.rule for k in table}
    # Competitors never include text inside the sentence (it would always cost less).
    assert all(c not in k.text for k in table for c in k.competitors)


def test_spotted_sentences_round_trip_through_the_cache_and_go_stale_with_the_rules(ruleset: RuleSet) -> None:
    line = OcrLine("保存失败：该人员为更活就业参保人进", (10, 10, 300, 30), 0.7)
    reading = Reading(
        None, [], [line], [line], (rules_fingerprint(ruleset), [(0, "flexible-employment-insured")])
    )
    again = Reading.from_json(reading.masked().to_json())
    result = result_from_reading("a.png", again, ruleset)
    assert result is not None and result.rules == ["flexible-employment-insured"] and result.decided_by == 4
    assert result.text == "保存失败：该人员为更活就业参保人进"
    stale = Reading(None, [], [line], [line], ("another table", [(0, "flexible-employment-insured")]))
    assert result_from_reading("a.png", stale, ruleset) is None  # look again with these rules
    broken = reading.to_json()
    broken["spotted"]["hits"] = [[5, "flexible-employment-insured"]]
    with pytest.raises(ValueError):
        Reading.from_json(broken)


# --- the real engine on rendered chat copies -------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine(backend=pick_backend(None))


def test_rendered_near_misses_success_and_menu_texts_spot_nothing_wrong(engine: RapidOcrEngine) -> None:
    texts = rival_texts(RULES)
    assert len(texts) > 100
    assert list(false_positives(engine, RULES, QUICK, texts)) == []


def test_rendered_sentences_are_spotted_where_the_classifier_alone_fails(engine: RapidOcrEngine) -> None:
    from calibrate_spotting import spotted

    rows = sentences(RULES)[::3]
    alone = with_spotting = 0
    for rule_id, text in rows:
        # Black on white, 14 px shrunk to 55 %, JPEG quality 50: the classifier alone reads few.
        found, classified = spotted(render(text, QUICK[1]), engine, RULES)
        alone += rule_id in classified
        with_spotting += rule_id in classified or rule_id in found
        assert found <= {rule_id} | {m.rule.id for m in RULES.find_all(text)}
    assert with_spotting >= alone + len(rows) // 3, (alone, with_spotting, len(rows))
