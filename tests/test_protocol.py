"""The page scripts and Python share one definition of their messages (interceptor/protocol.py)."""

from __future__ import annotations

import re

from interceptor.protocol import (
    BINDING,
    OVERLAY_METHODS,
    SHADOW_EVENT,
    WORLD,
    Card,
    Level,
    Report,
    ReportChannel,
)
from interceptor.remedy import RowKind
from interceptor.watcher import SCRIPTS, script

ALL_SCRIPTS = [*SCRIPTS, "shadow-hook.js"]


def test_the_scripts_spell_out_no_protocol_value() -> None:
    values = [BINDING, WORLD, SHADOW_EVENT, *(c.value for c in ReportChannel), *(lv.value for lv in Level)]
    for name in ALL_SCRIPTS:
        code = "\n".join(line for line in script(name).splitlines() if not line.strip().startswith("//"))
        for value in values:
            assert f'"{value}"' not in code and f"'{value}'" not in code, f"{name} spells out {value!r}"


def test_the_overlay_reads_only_fields_of_a_card_and_its_rows() -> None:
    code = script("overlay.js")
    read = set(re.findall(r"\bdata\.(\w+)", code))
    assert read <= set(Card.__annotations__), read - set(Card.__annotations__)
    kinds = set(re.findall(r'row\.kind === "(\w+)"', code))
    assert kinds <= set(RowKind.__args__)  # type: ignore[attr-defined]
    methods = re.search(r"__interceptorOverlay\", \{\s*value: Object\.freeze\(\{(.*?)\}\)", code, re.S)
    assert methods is not None
    assert set(re.findall(r"^\s*(\w+):", methods.group(1), re.M)) == set(OVERLAY_METHODS)


def test_the_watcher_sends_only_fields_of_a_report() -> None:
    code = script("watcher.js")
    sent: set[str] = set()
    for call in re.findall(r"send\(\{(.*?)\}\)", code):
        sent |= set(re.findall(r"(\w+):", call))
    sent |= set(re.findall(r"payload\.(\w+) =", code))
    assert sent and sent <= set(Report.__annotations__), sent - set(Report.__annotations__)
