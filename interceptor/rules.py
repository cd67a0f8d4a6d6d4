"""The rule table: strict loading of ``rules/*.yaml`` into typed rules and FAQ entries.

Parsing is strict on purpose (duplicate keys, unknown keys, wrong types are refused) because
a typo in a rule file would otherwise silently change which remedy a clerk sees. Every
problem is reported as ``path:line: sentence``; validation of the examples is a separate
step (:func:`check_rules`) so that loading stays cheap.

Over 400 lines because the schema is the rule authors' contract: every model, slot type and
validator sits here with the Chinese sentence it gives for a mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import RuleError, RuleFileErrors

Actor = Literal["单位", "员工", "经办机构"]
Severity = Literal["error", "info"]
# The value types a slot can hold (rules/README.md, "值的位置"). ``digits`` is the older name
# of ``person_no``; ``text`` is "any short text"; ``detail`` is the rest of a server message.
SlotType = Literal["date", "month", "amount", "number", "name", "id", "person_no", "text", "detail", "digits"]
CaptureKind = SlotType
SLOT_TYPES: tuple[str, ...] = get_args(SlotType)
RULE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# A slot: {name} (the type of the same name) or {name:type}.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_][A-Za-z0-9_]*))?\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Contact(_Model):
    name: str
    phone: str | None = None
    note: str | None = None


class Remedy(_Model):
    """What to do about an error, worded for a company clerk reading it next to the error."""

    who: Annotated[list[Actor], Field(min_length=1)]
    summary: Annotated[str, Field(min_length=1)]
    steps: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    menu_paths: list[Annotated[list[str], Field(min_length=1)]] = []
    channels: list[str] = []
    contacts: list[Contact] = []
    addresses: list[str] = []
    documents: list[str] = []


class Source(_Model):
    """Where the knowledge comes from: an item of the seed document (``part`` and ``item``),
    or a public source (``ref``: a repository path or a web address). ``general: true`` says
    the remedy is what a help-desk clerk would usually advise, because the source gives none."""

    part: Literal["一", "二"] | None = None
    item: Annotated[int, Field(ge=1)] | None = None
    ref: Annotated[str, Field(min_length=1)] | None = None
    quote: str | None = None
    general: bool = False

    @model_validator(mode="after")
    def _names_a_source(self) -> Source:
        if (self.part is None) != (self.item is None):
            raise ValueError("source 里 part 和 item 要一起写（种子文档的第几部分、第几条）")
        if self.part is None and self.ref is None and not self.general:
            raise ValueError(
                "source 要写明出处：种子文档的 part 和 item，或公开来源 ref；"
                "来源没有给处理方法时写 general: true"
            )
        return self


class MatchExample(_Model):
    text: str
    captures: dict[str, str] = {}
    line: int = 0

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class RuleExamples(_Model):
    match: Annotated[list[MatchExample], Field(min_length=1)]
    no_match: Annotated[list[str], Field(min_length=1)]


class Rule(_Model):
    """One known error message of the hall, how to recognise it and its remedy."""

    id: Annotated[str, Field(pattern=RULE_ID)]
    title: Annotated[str, Field(min_length=1)]
    message: Annotated[str, Field(min_length=1)]
    patterns: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    captures: dict[str, SlotType] = {}
    severity: Severity = "error"
    exclude: list[str] = []
    remedy: Remedy
    source: Source
    examples: RuleExamples
    path: str = ""
    line: int = 0

    @field_validator("patterns")
    @classmethod
    def _placeholders_closed(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if PLACEHOLDER.sub("", pattern).count("{") or PLACEHOLDER.sub("", pattern).count("}"):
                raise ValueError(
                    f"模式 {pattern!r} 里有一个花括号不是值的位置（应写成 {{date}} 或 {{名字:类型}}）"
                )
            if re.search(r"\}\s*\{", pattern):
                raise ValueError(f"模式 {pattern!r} 里两个值的位置紧挨着，中间要有文字才能分开")
        return patterns

    @model_validator(mode="after")
    def _captures_declared(self) -> Rule:
        for pattern in self.patterns:
            names: list[str] = []
            for slot in PLACEHOLDER.finditer(pattern):
                name, given = slot.group(1), slot.group(2)
                if given is not None and given not in SLOT_TYPES:
                    raise ValueError(
                        f"模式 {pattern!r} 里的 {{{name}:{given}}} 用了未知的值类型 {given!r}；"
                        f"可用的类型：{'、'.join(SLOT_TYPES)}"
                    )
                if given is None and name not in self.captures and name not in SLOT_TYPES:
                    raise ValueError(
                        f"模式 {pattern!r} 里的 {{{name}}} 不是已知的值类型，'captures' 里也没有声明 {name!r}"
                        f"（写成 {{{name}:类型}}，可用的类型：{'、'.join(SLOT_TYPES)}）"
                    )
                if name in names:
                    raise ValueError(f"模式 {pattern!r} 里 {{{name}}} 出现了两次；同一个名字在一个模式里只能用一次")
                names.append(name)
        return self

    def slot_type(self, name: str, given: str | None = None) -> str:
        """The value type of the slot ``{name}`` (or ``{name:given}``) in this rule's patterns."""
        if given:
            return "person_no" if given == "digits" else given
        kind = self.captures.get(name, name)
        return "person_no" if kind == "digits" else kind

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view for overlays and reports (no internal bookkeeping)."""
        return self.model_dump(mode="json", exclude={"path", "line", "examples", "patterns", "exclude"})


class QuestionExamples(_Model):
    match: Annotated[list[str], Field(min_length=1)]
    no_match: list[str] = []


class FaqEntry(_Model):
    """A frequent question (seed part 二) with its answer."""

    id: Annotated[str, Field(pattern=RULE_ID)]
    question: Annotated[str, Field(min_length=1)]
    also_asked: list[str] = []
    answer: Annotated[str, Field(min_length=1)]
    menu_paths: list[Annotated[list[str], Field(min_length=1)]] = []
    contacts: list[Contact] = []
    addresses: list[str] = []
    documents: list[str] = []
    source: Source
    examples: QuestionExamples
    path: str = ""
    line: int = 0


class RuleFile(_Model):
    rules: list[Rule] = []
    questions: list[FaqEntry] = []


# --- YAML with line numbers ---------------------------------------------------------


class _LineDict(dict[Any, Any]):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class _LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that records lines and refuses duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> _LineDict:
    result = _LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in result.key_lines:
            raise yaml.constructor.ConstructorError(
                None, None, f"键 {key!r} 在同一块里写了两次", key_node.start_mark
            )
        result.key_lines[key] = line
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_sequence(loader: _StrictLoader, node: yaml.SequenceNode) -> _LineList:
    result = _LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _line_of(data: Any, loc: Sequence[int | str]) -> int:
    """The line of the deepest node along ``loc`` that the YAML data knows."""
    line = getattr(data, "line", 1) or 1
    node = data
    for part in loc:
        if isinstance(node, _LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, _LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


_MESSAGES = {
    "missing": "缺少键 {key!r}",
    "extra_forbidden": "{key!r} 不是已知的键（请检查拼写；rules/README.md 列出了所有的键）",
    "string_type": "{key!r} 必须是文字（电话号码这类数字请加引号）",
    "list_type": "{key!r} 必须是列表（以“-”开头的行）",
    "dict_type": "{key!r} 必须是“键: 值”组成的块",
    "model_type": "{key!r} 必须是“键: 值”组成的块",
    "too_short": "{key!r} 不能为空",
    "string_too_short": "{key!r} 不能为空",
    "literal_error": "{key!r} 的值不在允许的范围内，可用的值：{expected}",
    "string_pattern_mismatch": "{key!r} 必须是用“-”连接的小写英文单词，例如 'household-type-missing'",
    "int_type": "{key!r} 必须是整数",
    "bool_type": "{key!r} 只能是 true 或 false",
}


def _sentence(error: Any) -> str:
    loc = [p for p in error["loc"] if isinstance(p, str | int)]
    named = [p for p in loc if isinstance(p, str)]
    # The line already says where; the key's own name is what a rule author recognises
    # ('who', not 'rules.0.remedy.who.0').
    key = named[-1] if named else "文件"
    template = _MESSAGES.get(error["type"])
    if error["type"] == "value_error":
        text = str(error.get("ctx", {}).get("error", error["msg"]))
    elif template:
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", "、").replace(", ", "、")
        text = template.format(key=key, expected=expected)
    else:
        text = f"{key!r}: {error['msg']}"
    return text if text.endswith(("。", ".")) else text + "。"


def _attach_lines(data: Any) -> None:
    """Record each rule's and example's own line so later checks can point at it."""
    if not isinstance(data, _LineDict):
        return
    for section in ("rules", "questions"):
        items = data.get(section)
        if not isinstance(items, _LineList):
            continue
        for index, item in enumerate(items):
            if isinstance(item, _LineDict) and "line" not in item:
                item["line"] = items.item_lines[index]
                examples = item.get("examples")
                matches = examples.get("match") if isinstance(examples, _LineDict) else None
                if section == "rules" and isinstance(matches, _LineList):
                    for j, example in enumerate(matches):
                        if isinstance(example, str):
                            matches[j] = {"text": example, "line": matches.item_lines[j]}
                        elif isinstance(example, dict) and "line" not in example:
                            example["line"] = matches.item_lines[j]


def parse_rule_file(path: Path, text: str | None = None) -> RuleFile:
    """Parse one YAML rule file strictly; raises RuleFileErrors with path:line problems."""
    try:
        source = path.read_text(encoding="utf-8") if text is None else text
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileErrors(
            [RuleError(f"无法按 UTF-8 文本读取这个文件（{exc}）。", path, 1)]
        ) from None
    try:
        data = yaml.load(source, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = (exc.problem or "it is not valid YAML").rstrip(".")
        raise RuleFileErrors([RuleError(f"YAML 格式有误：{problem}。", path, line)]) from None
    except yaml.YAMLError as exc:
        raise RuleFileErrors([RuleError(f"YAML 格式有误：{exc}。", path, 1)]) from None
    if data is None:
        raise RuleFileErrors(
            [RuleError("文件是空的；需要有 'rules:' 或 'questions:' 列表。", path, 1)]
        )
    if not isinstance(data, dict):
        raise RuleFileErrors(
            [RuleError("文件必须是一个含有 'rules:' 和/或 'questions:' 的块。", path, 1)]
        )
    _attach_lines(data)
    for section in ("rules", "questions"):
        for item in data.get(section) or []:
            if isinstance(item, dict):
                item["path"] = str(path)
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        problems = [RuleError(_sentence(err), path, _line_of(data, err["loc"])) for err in exc.errors()]
        raise RuleFileErrors(problems) from None


# --- Finding and loading ------------------------------------------------------------


def bundled_rules_dir() -> Path:
    """The rule table shipped with interceptor (``rules/`` in the repository)."""
    packaged = resources.files("interceptor") / "_bundled_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "rules"


def rule_files(paths: Iterable[str | Path] | None = None) -> list[Path]:
    """Expand files and folders into the list of YAML rule files, in a stable order."""
    roots = [Path(p) for p in paths] if paths else [bundled_rules_dir()]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            files.append(root)
    return files


def read_rule_files(paths: Iterable[str | Path] | None = None) -> tuple[list[Rule], list[FaqEntry]]:
    """Parse every file and check ids are unique across them; collects all problems."""
    problems: list[RuleError] = []
    rules: list[Rule] = []
    questions: list[FaqEntry] = []
    files = rule_files(paths)
    if not files:
        where = "、".join(str(p) for p in paths) if paths else str(bundled_rules_dir())
        raise RuleFileErrors([RuleError(f"{where} 里没有规则文件（*.yaml 或 *.yml）。")])
    for path in files:
        if not path.exists():
            problems.append(RuleError("规则文件不存在。", path, 1))
            continue
        try:
            parsed = parse_rule_file(path)
        except RuleFileErrors as exc:
            problems.extend(exc.errors)
            continue
        rules.extend(parsed.rules)
        questions.extend(parsed.questions)
    seen: dict[str, Rule | FaqEntry] = {}
    everything: list[Rule | FaqEntry] = [*rules, *questions]
    for item in everything:
        if item.id in seen:
            first = seen[item.id]
            problems.append(
                RuleError(
                    f"id {item.id!r} 已经在 {first.path}:{first.line} 用过了。", item.path, item.line
                )
            )
        else:
            seen[item.id] = item
    if problems:
        raise RuleFileErrors(problems)
    return rules, questions


# What a pattern written as a regular expression looks like; patterns are plain wording.
_REGEX_LOOK = re.compile(r"\.[*+?]|\.\{|\[[^\]]*\]|\\[dDwWsSbB.]|^\^|\$$|\(\?|\|")


def lint_patterns(rules: Iterable[Rule]) -> list[RuleError]:
    """Patterns that look like regular expressions (未获取到.*单位基本信息): they would match
    only the text as written, dots and stars included, so they never fire."""
    problems: list[RuleError] = []
    for rule in rules:
        for pattern in rule.patterns:
            found = _REGEX_LOOK.search(PLACEHOLDER.sub("", pattern))
            if found:
                problems.append(RuleError(
                    f"规则 {rule.id!r} 的模式 {pattern!r} 看起来像正则表达式（{found.group(0)}），"
                    "但模式是按原文比对的，这样写永远不会识别。请写出报错的原话；会变的部分写成值的位置，"
                    "如 {text}、{number}、{date}（见 rules/README.md 的“值的位置”）。",
                    rule.path, text_line(rule.path, pattern, rule.line, "patterns"),
                ))
    return problems


def text_line(path: str | Path, text: str, after: int = 1, key: str | None = None) -> int:
    """The line where ``text`` is written in the file at ``path``, at or after line ``after``
    and after the line of ``key`` (``no_match``, ``patterns``) when given; ``after`` itself when
    it cannot be found. Points a problem at the example or pattern, not at its rule."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return after
    start = max(after, 1)
    if key is not None:
        heading = re.compile(rf"(?<![A-Za-z_]){re.escape(key)}\s*:")
        start = next((n for n in range(start, len(lines) + 1) if heading.search(lines[n - 1])), start)
    for number in range(start, len(lines) + 1):
        if text in lines[number - 1]:
            return number
    return after
