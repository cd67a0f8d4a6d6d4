"""The rule table: strict loading of ``rules/*.yaml`` into typed rules and FAQ entries.

Parsing is strict on purpose (duplicate keys, unknown keys, wrong types are refused) because
a typo in a rule file would otherwise silently change which remedy a clerk sees. Every
problem is reported as ``path:line: sentence``; validation of the examples is a separate
step (:func:`check_rules`) so that loading stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import RuleError, RuleFileErrors

if TYPE_CHECKING:
    from .classify import RuleSet

Actor = Literal["单位", "员工", "经办机构"]
CaptureKind = Literal["digits", "text"]
RULE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
    """Where in the seed document (``shared/seed``) the knowledge comes from."""

    part: Literal["一", "二"]
    item: Annotated[int, Field(ge=1)]
    quote: str | None = None


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
    captures: dict[str, CaptureKind] = {}
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
                raise ValueError(f"the pattern {pattern!r} has a brace that is not a {{name}} placeholder")
        return patterns

    @model_validator(mode="after")
    def _captures_declared(self) -> Rule:
        for pattern in self.patterns:
            for name in PLACEHOLDER.findall(pattern):
                if name not in self.captures:
                    raise ValueError(
                        f"the pattern {pattern!r} uses {{{name}}} but 'captures' does not declare {name!r}"
                    )
        return self

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
                None, None, f"the key {key!r} appears twice in the same block", key_node.start_mark
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
    "missing": "the key {key!r} is missing",
    "extra_forbidden": "{key!r} is not a known key (check its spelling; rules/README.md lists the keys)",
    "string_type": "{key!r} must be text (put numbers such as phone numbers in quotes)",
    "list_type": "{key!r} must be a list (lines starting with '-')",
    "dict_type": "{key!r} must be a block of 'key: value' lines",
    "model_type": "{key!r} must be a block of 'key: value' lines",
    "too_short": "{key!r} must not be empty",
    "string_too_short": "{key!r} must not be empty",
    "literal_error": "{key!r} has a value that is not allowed: {msg}",
    "string_pattern_mismatch": "{key!r} must be lower-case words joined by '-', such as 'household-type-missing'",
    "int_type": "{key!r} must be a whole number",
}


def _sentence(error: Any) -> str:
    loc = [p for p in error["loc"] if isinstance(p, str | int)]
    named = [p for p in loc if isinstance(p, str)]
    key = ".".join(str(p) for p in loc) if loc else "the file"
    if error["type"] in ("missing", "extra_forbidden") and named:
        key = named[-1]
    template = _MESSAGES.get(error["type"])
    if error["type"] == "value_error":
        text = str(error.get("ctx", {}).get("error", error["msg"]))
    elif template:
        text = template.format(key=key, msg=error["msg"])
    else:
        text = f"{key!r}: {error['msg']}"
    text = text[0].upper() + text[1:] if text and text[0].isalpha() and text[0].isascii() else text
    return text if text.endswith(".") else text + "."


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
            [RuleError(f"The file cannot be read as UTF-8 text ({exc}).", path, 1)]
        ) from None
    try:
        data = yaml.load(source, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = (exc.problem or "it is not valid YAML").rstrip(".")
        raise RuleFileErrors([RuleError(f"The YAML is malformed: {problem}.", path, line)]) from None
    except yaml.YAMLError as exc:
        raise RuleFileErrors([RuleError(f"The YAML is malformed: {exc}.", path, 1)]) from None
    if data is None:
        raise RuleFileErrors(
            [RuleError("The file is empty; it needs a 'rules:' or 'questions:' list.", path, 1)]
        )
    if not isinstance(data, dict):
        raise RuleFileErrors(
            [RuleError("The file must be a block with 'rules:' and/or 'questions:'.", path, 1)]
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
        raise RuleFileErrors([RuleError("No rule files (*.yaml) were found.", Path(str(paths)), 1)])
    for path in files:
        if not path.exists():
            problems.append(RuleError("The rule file does not exist.", path, 1))
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
                    f"The id {item.id!r} is already used at {first.path}:{first.line}.", item.path, item.line
                )
            )
        else:
            seen[item.id] = item
    if problems:
        raise RuleFileErrors(problems)
    return rules, questions


def load_rules(paths: Iterable[str | Path] | None = None) -> RuleSet:
    """Load rule files (default: the bundled table) into a ready-to-use :class:`RuleSet`."""
    from .classify import RuleSet

    rules, questions = read_rule_files(paths)
    return RuleSet(rules, questions)


def check_rules(paths: Iterable[str | Path] | None = None) -> list[RuleError]:
    """Validate rule files and run every embedded example; returns the problems found."""
    try:
        ruleset = load_rules(paths)
    except RuleFileErrors as exc:
        return exc.errors
    except RuleError as exc:
        return [exc]
    return ruleset.self_check()
