"""Answers to frequent questions, found from a question in a person's own words.

What is searched: every question with its other phrasings (``also_asked``) and its answer,
and every error rule as the question 提示“…”怎么办 with its remedy as the answer.

How: the text is cut into words by jieba (with the hall's own words added to its
dictionary), spoken filler is dropped, and the words of one meaning are folded into one
(社会保险 → 社保, 缴 → 交, 公司 → 单位, 职工 → 员工, 变更 → 修改 …, see :data:`SYNONYMS`).
bm25s ranks the entries by BM25. Whether the best one answers the question is decided by
its *coverage*: the share of the question's words (weighted by how rare they are; a word
no entry knows, such as 公积金 or 天气, weighs most) found in that entry's questions, half
as much in its answer. Below :data:`THRESHOLD` there is no answer: no answer is better than
a wrong one. ``tests/test_ask_phrasings.py`` measures this on phrasings of every entry and
off-topic questions.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import RuleError
from .rules import FaqEntry, QuestionExamples, text_line

if TYPE_CHECKING:
    from .rules import Rule

# Coverage (0–100) the best entry needs before it is given as an answer.
THRESHOLD = 50.0
# A second answer is offered only when it is nearly as good as the first.
RUNNER_UP_MARGIN = 8.0
# How much a word found only in an entry's answer counts, against one in its questions.
ANSWER_WEIGHT = 0.5
# How much more a word that no entry knows weighs than the rarest word they know.
UNKNOWN_WEIGHT = 1.5
# How much the BM25 rank adds on top of coverage, to order entries that cover alike.
RANK_WEIGHT = 5.0

# Words of one meaning, folded into the first. Longer variants are listed too, because jieba
# keeps some of them whole (填错, 社会保险费).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "社保": ("社会保险", "社保", "五险", "社会保险费", "社保费", "保险费"),
    "交费": ("缴费", "交费", "缴纳", "交纳", "缴", "交", "缴交", "交钱", "缴款"),
    "单位": ("公司", "企业", "用人单位", "单位", "厂里", "老板", "参保单位"),
    "员工": ("职工", "人员", "员工", "工人", "雇员", "同事", "参保人", "参保人员", "员工们", "新员工", "人"),
    "修改": ("改", "变更", "修改", "更改", "更正", "改正", "纠正", "撤回", "撤销", "回退", "改过来", "改掉", "改成"),
    "错误": ("错", "错误", "填错", "录错", "输错", "写错", "弄错", "搞错", "有误", "错了", "不对", "录入错误"),
    "停保": ("停保", "减员", "退保", "停缴", "断保", "停", "停掉", "停止", "退工"),
    "参保": ("参保", "增员", "投保", "入保", "加保", "上保险", "交上"),
    "医保": ("医保", "医疗保险", "医疗", "生育保险", "生育"),
    "地址": ("地址", "住址", "注册地", "办公地址"),
    "搬迁": ("搬家", "搬迁", "迁址", "搬", "搬走", "换地方"),
    "查询": ("查", "查询", "查看", "看", "找", "查找", "看到", "确认", "知道"),
    "开始": ("起始", "开始", "起", "从"),
    "月份": ("月份", "月", "几月", "几月份", "哪月", "哪个月"),
    "劳动合同": ("劳动合同", "合同", "用工合同"),
    "时间": ("时间", "几号", "哪天", "何时", "什么时候", "日子"),
    "退费": ("退费", "退钱", "退款", "清退", "退", "退回来", "多扣", "多交"),
    "平台": ("平台", "系统", "网站"),
    "分别": ("分别", "单独", "分开", "另外", "两边", "两个"),
    "不一致": ("不一致", "不一样", "对不上", "不符", "不同", "有出入"),
    "人数": ("人数", "几个人", "少人", "人头", "总人数"),
    "权益单": ("权益单", "权益记录单", "权益记录", "对账单"),
    "明细": ("明细", "清单", "详情", "详细"),
    "业务": ("业务", "办件", "事项"),
    "办理": ("办理", "办", "办过", "处理", "操作", "弄"),
    "养老": ("养老", "养老保险", "养老金"),
    "工伤": ("工伤", "工伤保险", "伤残"),
    "失业": ("失业", "失业保险"),
    "失业金": ("失业金", "失业保险金"),
    "成功": ("成功", "好了", "上了", "办好"),
    "信息": ("信息", "资料"),
    "扣费": ("扣费", "扣款", "扣了", "扣钱", "扣"),
    "晚了": ("晚了", "来不及", "太晚", "迟了", "过期"),
    "重复": ("重复", "两次", "两边都"),
    "密码": ("密码", "口令"),
    "登录": ("登录", "登陆", "登入", "进不去"),
}

# The hall's words, so that jieba keeps them whole.
DOMAIN_WORDS = (
    "停保", "参保", "社保", "医保", "灵活就业", "户籍性质", "人员编号", "用工参保", "退工停保", "权益单",
    "权益记录单", "缴费基数", "失业金", "办件", "省平台", "一体化", "清退", "扣费", "征缴", "网办大厅",
    "人员变更回退", "伤残津贴", "填错", "录错", "搬家", "来不及", "对不上", "不一致", "参保身份",
    "基础信息", "人脸认证", "统一社会信用代码", "证件有效期", "验证码", "几月份", "公积金", "个税",
    "入职", "离职", "劳动合同", "几号", "多交", "多扣",
)

# Spoken filler: carries no meaning for finding the answer.
_STOP = (
    "的 了 吗 呢 吧 啊 呀 嘛 哦 是 在 要 也 都 还 就 和 与 及 或 或者 我 我们 你 您 他 她 它 这 那 这个 那个 "
    "这些 那些 这种 怎么 怎么办 怎么样 怎样 如何 什么 为什么 为啥 请问 问 问一下 想 想问 我想 能 能否 能不能 可以 "
    "可不可以 需要 需不需要 要不要 应该 该 会 一下 有 哪里 哪儿 在哪 在哪儿 哪 里 里面 去 得 着 把 被 给 让 "
    "对 从哪 哪个 哪些 个 吗? 呢? 情况 时候 时 之后 以后 后 先 再 又 已经 已 现在 刚才 目前 请 麻烦 谢谢 "
    "一个 一 下 上 中 等 啥 咋 咋办 么 没 得 地 到 过 如果 要是 不 么样 方面 问题 这样 那样 为 "
    "提示 显示 出现 弹出 报 说 那边 这边 一次 以前 之前 以后 别的 新来 算 按 还要 不要 是不是 有没有 "
    "怎么回事 回事 意思 是什么 一样 也要 还是 所有 每个 各 些"
)
STOPWORDS = frozenset(_STOP.split())

_FOLD = {variant: canonical for canonical, variants in SYNONYMS.items() for variant in variants}
_KEEP = re.compile(r"[0-9a-z\u3400-\u9fff]")
# Values say nothing about what is asked: 15, 2021, 15号, 第3.
_VALUE = re.compile(r"第?[0-9.]+[号日年个]?")
# 九月, 10月份: a month is a month.
_MONTH = re.compile(r"[0-9一二三四五六七八九十]+月份?")


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import jieba  # type: ignore[import-untyped]

    jieba.setLogLevel(logging.WARNING)  # it announces building its dictionary otherwise
    tokenizer = jieba.Tokenizer()
    for word in (*DOMAIN_WORDS, *_FOLD):
        if len(word) > 1:
            tokenizer.add_word(word, freq=2000)
    return tokenizer


def words(text: str) -> list[str]:
    """The meaningful words of ``text``, each folded to its canonical synonym."""
    clean = unicodedata.normalize("NFKC", text).lower()
    found: list[str] = []
    for word in _tokenizer().lcut_for_search(clean):
        word = word.strip()
        if not word or not _KEEP.search(word) or word in STOPWORDS or _VALUE.fullmatch(word):
            continue
        found.append("月份" if _MONTH.fullmatch(word) else _FOLD.get(word, word))
    return found


@dataclass
class _Entry:
    entry: FaqEntry
    asked: frozenset[str]  # words of its questions
    told: frozenset[str]  # words of its answer only


def rule_as_question(rule: Rule) -> FaqEntry:
    """An error rule seen as the question 提示“…”怎么办, answered by its remedy."""
    remedy = rule.remedy
    steps = " ".join(f"{n}. {step}" for n, step in enumerate(remedy.steps, 1))
    return FaqEntry.model_construct(
        id=rule.id,
        question=f"提示“{rule.message}”怎么办？",
        also_asked=[rule.title, *rule.patterns],
        answer=f"{remedy.summary} 处理步骤：{steps}",
        menu_paths=list(remedy.menu_paths),
        contacts=list(remedy.contacts),
        addresses=list(remedy.addresses),
        documents=list(remedy.documents),
        source=rule.source,
        examples=QuestionExamples.model_construct(match=[], no_match=[]),
        path=rule.path,
        line=rule.line,
    )


class Faq:
    """The questions (and, given ``rules``, the error rules) ranked against a question."""

    def __init__(self, entries: Sequence[FaqEntry], rules: Iterable[Rule] = ()) -> None:
        import bm25s  # type: ignore[import-untyped]

        self.entries = list(entries)
        self._all = [*self.entries, *(rule_as_question(r) for r in rules)]
        self._items: list[_Entry] = []
        corpus: list[list[str]] = []
        for entry in self._all:
            asked = [w for q in (entry.question, *entry.also_asked) for w in words(_placeholders_out(q))]
            told = words(entry.answer)
            self._items.append(_Entry(entry, frozenset(asked), frozenset(told) - frozenset(asked)))
            corpus.append(asked + asked + told)  # questions count twice
        document_frequency: dict[str, int] = {}
        for item in self._items:
            for word in item.asked | item.told:
                document_frequency[word] = document_frequency.get(word, 0) + 1
        total = len(self._items)
        self._idf = {w: math.log(1 + (total - n + 0.5) / (n + 0.5)) for w, n in document_frequency.items()}
        # A word no entry knows (公积金, 天气, 病假) says more about what the question is about
        # than the rarest word they know: the question is likely about something else.
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + (total - 0.5) / 1.5)
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def _coverage(self, query: list[str], item: _Entry) -> float:
        weights = {w: self._idf.get(w, self._unknown_idf) for w in set(query)}
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        got = sum(weight if w in item.asked else ANSWER_WEIGHT * weight if w in item.told else 0.0
                  for w, weight in weights.items())
        return 100.0 * got / total

    def _known(self, query: list[str]) -> list[str]:
        """Words the entries do not know, split into their characters when those are filler or
        synonyms (在哪查 → 查询, 再办 → 办理, 还要 → nothing)."""
        known: list[str] = []
        for word in query:
            if word in self._idf or len(word) < 2:
                known.append(word)
                continue
            chars = [c for c in word if c not in STOPWORDS]
            if all(c in _FOLD for c in chars):
                known += [_FOLD[c] for c in chars]
            else:
                known.append(word)
        return known

    def score(self, question: str) -> list[tuple[FaqEntry, float]]:
        """Every entry with its score (coverage, 0–100, plus a little for its BM25 rank), best first."""
        query = self._known(words(question))
        if not query or not self._items:
            return []
        ranks = [float(x) for x in self._bm25.get_scores(query)]
        top_rank = max(ranks) or 1.0
        scored = [
            (item.entry, self._coverage(query, item) + RANK_WEIGHT * rank / top_rank)
            for item, rank in zip(self._items, ranks, strict=True)
        ]
        scored.sort(key=lambda pair: -pair[1])
        return scored

    def ask(self, question: str, limit: int = 3) -> list[tuple[FaqEntry, float]]:
        """The answers sure enough to give, at most ``limit``; an empty list rather than a guess."""
        scored = self.score(question)
        if not scored or scored[0][1] < THRESHOLD:
            return []
        top = scored[0][1]
        chosen = [(e, min(s, 100.0)) for e, s in scored[: max(1, limit)]
                  if s >= THRESHOLD and top - s <= RUNNER_UP_MARGIN]
        return chosen

    def self_check(self) -> list[RuleError]:
        problems: list[RuleError] = []
        for entry in self.entries:
            for text in entry.examples.match:
                answers = self.ask(text, limit=1)
                if not answers or answers[0][0].id != entry.id:
                    got = f"却由 {answers[0][0].id!r} 回答" if answers else "却没有找到答案"
                    problems.append(RuleError(
                        f"问题 {entry.id!r}：例子 {text!r} 应当由这一条回答，{got}。"
                        "可以把这种问法加进 also_asked。",
                        entry.path, text_line(entry.path, text, entry.line, "match"),
                    ))
            for text in entry.examples.no_match:
                if any(e.id == entry.id for e, _ in self.ask(text)):
                    problems.append(RuleError(
                        f"问题 {entry.id!r}：{text!r} 不应当由这一条回答，却回答了。",
                        entry.path, text_line(entry.path, text, entry.line, "no_match"),
                    ))
        return problems


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _placeholders_out(text: str) -> str:
    """A rule pattern without its value slots ({date}, {name:id}), which are no words."""
    return _PLACEHOLDER.sub(" ", text)
