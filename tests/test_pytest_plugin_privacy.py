"""The pytest plugin's failure output and artefacts hold no personal data in clear and are
owner-only (the browser runs of the plugin itself are in test_pytest_plugin.py)."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from interceptor import pytest_plugin

ID = "320102199001011234"
MOBILE = "13912345678"


@dataclass
class FakeEvent:
    text: str
    rule: str | None
    source: str = "dom"
    frame_url: str = f"https://hall.test/?sfzh={ID}"
    captures: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FakePage:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def is_closed(self) -> bool:
        return False

    def screenshot(self) -> bytes:
        if self.fail:
            raise RuntimeError(f"页面已崩溃：{MOBILE}")
        return b"\x89PNG\r\n\x1a\n fake"


class FakeCompanion:
    def __init__(self, events: list[FakeEvent]) -> None:
        self.events = events


EVENTS = [
    FakeEvent(f"系统繁忙，请联系 {MOBILE}，身份证 {ID}", None),
    FakeEvent(
        "人员信息已采集，人员编号为3201001234",
        "person-already-collected",
        captures={"person_no": "3201001234"},
    ),
]


def test_strict_failure_message_shows_masked_texts() -> None:
    message = pytest_plugin._unknown_message(cast(Any, EVENTS))
    assert "规则表里没有的报错" in message and "系统繁忙" in message
    assert ID not in message and MOBILE not in message
    assert "*******5678" in message and "**************1234" in message
    assert pytest_plugin._unknown_message(cast(Any, EVENTS[1:])) == ""


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_artefacts_are_masked_and_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "test-results" / "test-x"
    old = os.umask(0o022)
    try:
        pytest_plugin._keep_artefacts(cast(Any, FakePage()), cast(Any, FakeCompanion(EVENTS)), folder)
        pytest_plugin._keep_artefacts(
            cast(Any, FakePage(fail=True)), cast(Any, FakeCompanion(EVENTS)), tmp_path / "crashed"
        )
    finally:
        os.umask(old)
    events_file = folder / pytest_plugin.EVENTS_NAME
    raw = events_file.read_text(encoding="utf-8")
    assert ID not in raw and MOBILE not in raw and "3201001234" not in raw
    assert json.loads(raw)[1]["captures"] == {"person_no": "******1234"}
    shot = folder / pytest_plugin.SCREENSHOT_NAME
    assert shot.read_bytes().startswith(b"\x89PNG")
    for path in (events_file, shot, tmp_path / "crashed" / "interceptor-screenshot-error.txt"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert MOBILE not in (tmp_path / "crashed" / "interceptor-screenshot-error.txt").read_text(
        encoding="utf-8"
    )
