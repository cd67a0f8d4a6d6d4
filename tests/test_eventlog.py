"""The JSON Lines event log: one line per event, personal data masked."""

from __future__ import annotations

from pathlib import Path

from interceptor.companion import Event
from interceptor.eventlog import EventLog, read_events


def test_events_are_appended_as_masked_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "profile" / "interceptor-events.jsonl"
    event = Event(source="dom", text="320582199001011234 户籍性质为空，联系 13912345678", rule="household-type-missing")
    with EventLog(path) as log:
        log.write(event.to_dict())
        log.write(Event(source="network", text="系统繁忙", rule=None).to_dict())
    with EventLog(path) as log:  # a restart appends
        log.write(Event(source="dialog", text="未获取到人员基本信息", rule="person-info-not-found").to_dict())
    records = read_events(path)
    assert [r["rule"] for r in records] == ["household-type-missing", None, "person-info-not-found"]
    assert records[0]["text"] == "**************1234 户籍性质为空，联系 *******5678"
    raw = path.read_text(encoding="utf-8")
    assert "320582199001011234" not in raw and "13912345678" not in raw


def test_unmasked_log_keeps_text(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with EventLog(path, mask=False) as log:
        log.write(Event(source="dom", text="13912345678", rule=None).to_dict())
    assert read_events(path)[0]["text"] == "13912345678"
