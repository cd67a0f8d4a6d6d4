"""The event log is owner-only and masks personal captures."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from interceptor.eventlog import EventLog, read_events


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_event_log_is_private_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "profile" / "logs" / "events.jsonl"
    old = os.umask(0o000)
    try:
        with EventLog(path) as log:
            log.write({"text": "户籍性质为空", "rule": "household-type-missing", "captures": {}})
        with EventLog(path) as log:  # reopened by loguru for appending: the mode stays
            log.write({"text": "系统繁忙", "rule": None, "captures": {}})
    finally:
        os.umask(old)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    assert len(read_events(path)) == 2


def test_personal_captures_are_masked_in_the_log(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with EventLog(path) as log:
        log.write(
            {
                "text": "人员信息已采集，人员编号为3201001234，姓名：王小明",
                "rule": "person-already-collected",
                "captures": {"person_no": "3201001234", "name": "王小明"},
            }
        )
    raw = path.read_text(encoding="utf-8")
    assert "3201001234" not in raw and "小明" not in raw
    record = read_events(path)[0]
    assert record["captures"] == {"person_no": "******1234", "name": "王**"}
