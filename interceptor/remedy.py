"""One view of a remedy: the labelled rows every renderer shows.

The terminal (``classify``, ``demo``), the overlay card, the screenshot report and the demo
summary all render these rows, so a label or a field cannot drift between them. A row's
``kind`` tells a renderer how to lay it out; its ``label`` is what the person reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from .rules import Remedy

if TYPE_CHECKING:
    from jinja2 import Environment

RowKind = Literal["who", "summary", "steps", "menu", "line"]


class RemedyRow(NamedTuple):
    label: str
    kind: RowKind
    value: str | list[str]  # a list for "who" and "steps", text otherwise

    def text(self) -> str:
        """The value as one line of text (steps numbered)."""
        if isinstance(self.value, str):
            return self.value
        if self.kind == "steps":
            return " ".join(f"{n}. {step}" for n, step in enumerate(self.value, 1))
        return "、".join(self.value)


# The labels, once. Every field of Remedy has one.
LABELS = {
    "who": "需由谁处理",
    "summary": "说明",
    "steps": "处理步骤",
    "menu_paths": "菜单路径",
    "channels": "办理渠道",
    "documents": "所需材料",
    "contacts": "联系电话",
    "addresses": "地址",
}


def remedy_rows(remedy: Remedy) -> list[RemedyRow]:
    """The remedy as labelled rows, in reading order; empty fields are left out."""
    rows = [
        RemedyRow(LABELS["who"], "who", list(remedy.who)),
        RemedyRow(LABELS["summary"], "summary", remedy.summary),
        RemedyRow(LABELS["steps"], "steps", list(remedy.steps)),
    ]
    rows += [RemedyRow(LABELS["menu_paths"], "menu", " › ".join(path)) for path in remedy.menu_paths]
    if remedy.channels:
        rows.append(RemedyRow(LABELS["channels"], "line", "、".join(remedy.channels)))
    if remedy.documents:
        rows.append(RemedyRow(LABELS["documents"], "line", "、".join(remedy.documents)))
    rows += [RemedyRow(LABELS["contacts"], "line", _contact(c.name, c.phone, c.note)) for c in remedy.contacts]
    rows += [RemedyRow(LABELS["addresses"], "line", address) for address in remedy.addresses]
    return rows


def remedy_lines(remedy: Remedy, indent: str = "") -> list[str]:
    """The rows as terminal lines: ``label：value``, steps numbered under their label."""
    lines: list[str] = []
    for row in remedy_rows(remedy):
        if row.kind == "steps":
            lines.append(f"{indent}{row.label}：")
            lines += [f"{indent}  {n}. {step}" for n, step in enumerate(row.value, 1)]
        else:
            lines.append(f"{indent}{row.label}：{row.text()}")
    return lines


def _contact(name: str, phone: str | None, note: str | None) -> str:
    text = f"{name} {phone or ''}".strip()
    return f"{text}（{note}）" if note else text


def rows_json(remedy: Remedy) -> list[dict[str, object]]:
    """The rows as JSON for the overlay card."""
    return [{"label": r.label, "kind": r.kind, "value": r.value} for r in remedy_rows(remedy)]


def html_env(*folders: Path) -> Environment:
    """A jinja2 environment for our HTML views: ``folders`` first, then the package's
    templates (which hold the ``remedy`` macro, fed with :func:`rows_json`); autoescaped."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader

    loaders = [FileSystemLoader([str(f) for f in folders])] if folders else []
    env = Environment(
        loader=ChoiceLoader([*loaders, PackageLoader("interceptor", "templates")]),
        autoescape=True,  # page and picture text is only ever shown as text
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env
