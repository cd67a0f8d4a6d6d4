"""The texts the real hall shows (fixtures/text/hall-texts.tsv, a copy of the public data with
its sources): every error gets its rule, also when perturbed; success and menu texts get nothing;
information gets a quiet tip or nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interceptor import RuleSet

TEXT = Path(__file__).resolve().parent.parent / "fixtures" / "text"
HALL_TEXTS = TEXT / "hall-texts.tsv"
EXPECTED = TEXT / "hall-texts-rules.tsv"
# A prefix family (登录失败：…) is followed by the server's own message.
SERVER_MESSAGE = "用户名或密码错误"
FULL_WIDTH = str.maketrans({",": "，", ".": "。", "!": "！", ";": "；", ":": "：", "?": "？"})


def _rows() -> list[tuple[str, str, str, str]]:
    if not HALL_TEXTS.is_file():
        pytest.fail(f"{HALL_TEXTS} is missing: copy ../shared/data/hall-texts.tsv there (public data with sources).")
    lines = [line for line in HALL_TEXTS.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert lines[0].split("\t")[:2] == ["text", "kind"], "hall-texts.tsv has lost its header"
    rows = []
    for line in lines[1:]:
        text, kind, meaning, source = line.split("\t")
        rows.append((text, kind, meaning, source))
    return rows


ROWS = _rows()
RULE_OF = dict(
    line.split("\t") for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
)


def _realistic(text: str) -> str:
    """The text as a clerk sees it: inserted values filled in, a prefix followed by its message."""
    text = re.sub(r"\{[^}]*\}", "2026年08月", text)
    return text + SERVER_MESSAGE if text.endswith(("：", ":")) else text


def _perturbed(text: str) -> list[str]:
    spaced = " ".join(text)
    variants = [
        "保存失败：" + text,
        text + "，请核实",
        "第3行：" + text + "。",
        text.translate(FULL_WIDTH),
        spaced,
        f"[E1024] {text} (appcode=1)",
    ]
    if "2026年08月" in text:
        variants += [text.replace("2026年08月", v) for v in ("（202608）", "2026-08", "2026.08", "202608")]
    return variants


def _source_name(source: str) -> str:
    """The repository or code base a row of the tsv comes from (xiaoxia888/E-HRM, girder-ui …)."""
    if source.startswith("public code: "):
        return source.removeprefix("public code: ").split()[0]
    return source.split(":")[0]


ERRORS = [pytest.param(_realistic(t), source, id=t[:20]) for t, kind, _, source in ROWS if kind == "error"]
INFOS = [pytest.param(t, id=t[:20]) for t, kind, _, _ in ROWS if kind == "info"]
QUIET = [pytest.param(t, id=t[:20]) for t, kind, _, _ in ROWS if kind in ("success", "menu/page text")]


def test_the_copy_holds_the_whole_table() -> None:
    kinds = [kind for _, kind, _, _ in ROWS]
    assert len(ROWS) == 63
    assert kinds.count("error") == 33 == len(RULE_OF)
    assert {t for t, kind, _, _ in ROWS if kind == "error"} == set(RULE_OF)


@pytest.mark.parametrize(("text", "source"), ERRORS)
def test_every_error_the_hall_shows_gets_its_rule_with_a_remedy_and_its_source(
    ruleset: RuleSet, text: str, source: str
) -> None:
    found = ruleset.classify(text)
    original = next(t for t in RULE_OF if _realistic(t) == text)
    assert found is not None, text
    assert found.rule.id == RULE_OF[original]
    assert found.rule.severity == "error"
    assert found.rule.remedy.steps and found.rule.remedy.who
    assert found.rule.source.ref and _source_name(source) in found.rule.source.ref


@pytest.mark.parametrize(("text", "source"), ERRORS)
def test_a_perturbed_error_still_gets_its_rule(ruleset: RuleSet, text: str, source: str) -> None:
    original = next(t for t in RULE_OF if _realistic(t) == text)
    for variant in _perturbed(text):
        found = ruleset.classify(variant)
        assert found is not None and found.rule.id == RULE_OF[original], variant


@pytest.mark.parametrize(("text", "source"), [p for p in ERRORS if str(p.values[0]).endswith(SERVER_MESSAGE)])
def test_a_prefix_family_captures_the_servers_own_message(ruleset: RuleSet, text: str, source: str) -> None:
    for variant in (text, "第1次：" + text + "！", text.translate(FULL_WIDTH)):
        found = ruleset.classify(variant)
        assert found is not None and found.captures == {"detail": SERVER_MESSAGE}, variant


@pytest.mark.parametrize("text", QUIET)
def test_success_and_menu_texts_get_nothing(ruleset: RuleSet, text: str) -> None:
    for variant in (text, "保存成功：" + text, " ".join(text)):
        assert ruleset.classify(variant) is None, variant
        assert ruleset.find_all(variant) == []


@pytest.mark.parametrize("text", INFOS)
def test_information_gets_a_quiet_tip_or_nothing(ruleset: RuleSet, text: str) -> None:
    for found in ruleset.find_all(_realistic(text)):
        assert found.rule.severity == "info", (text, found.rule.id)


def test_the_stop_notice_is_a_tip_with_its_month(ruleset: RuleSet) -> None:
    for text in ("当前时间办理人员停保，发送税务缴费截止时间为2026年08月", "当前时间办理人员停保,发送税务缴费截止时间为（202608）"):
        found = ruleset.classify(text)
        assert found is not None and found.rule.id == "stop-insurance-tax-deadline"
        assert found.rule.severity == "info" and found.captures == {"month": "2026年08月"}


def test_a_known_error_inside_a_prefix_family_gets_its_own_remedy(ruleset: RuleSet) -> None:
    found = ruleset.classify("登录失败：没有权限，请重新登录")
    assert found is not None and found.rule.id == "session-expired-relogin"
    found = ruleset.classify("获取用户信息失败：人脸认证流水号不存在或已过期")
    assert found is not None and found.rule.id == "face-auth-expired"


@pytest.mark.parametrize(
    "text",
    [
        "如提示“您的请求出现错误，请稍后再试”，请刷新页面",
        "登录失败怎么办",
        "若出现“服务器断开，请稍后重试”，请检查网络",
        "系统正在维护，请稍后再试..",
        "已填写证件有效期",
        "账号或密码错误，请重新输入",
    ],
)
def test_sentences_about_errors_and_unknown_messages_get_nothing(ruleset: RuleSet, text: str) -> None:
    assert ruleset.classify(text) is None
