"""``interceptor record``: a session saved with its errors, masked, and replayable offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interceptor.classify import load_rules
from interceptor.cli import main
from interceptor.demo import start_demo_server
from interceptor.recording import RECORDING_HAR, RECORDING_META
from interceptor.replay import replay_targets

IDCARD = "320211200002290035"  # 钱七 in the demo hall: nobody has collected them


def test_recorded_session_is_masked_and_replays_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, profile = tmp_path / "rec", tmp_path / "profile"
    with start_demo_server() as server:
        url = f"{server.url}/busi/app.html?flow=insure-register&aac002={IDCARD}"
        code = main(["record", url, "--out", str(out), "--profile", str(profile), "--headless", "--duration", "3"])
        assert code == 0
    printed = capsys.readouterr().out
    # People read the rule's title, not its id.
    [title] = [r.title for r in load_rules().rules if r.id == "person-info-not-found"]
    assert title in printed and "person-info-not-found" not in printed
    assert any(profile.iterdir()), "the persistent profile was not used"

    events = json.loads((out / "events.json").read_text(encoding="utf-8"))
    rules = [e["rule"] for e in events]
    assert rules == ["person-info-not-found"], rules
    event = events[0]
    assert (out / event["snapshot"]).read_text(encoding="utf-8").count("未获取到人员基本信息") >= 1
    assert (out / event["screenshot"]).stat().st_size > 1000

    meta = json.loads((out / RECORDING_META).read_text(encoding="utf-8"))
    assert meta["har"] == RECORDING_HAR and len(meta["snapshots"]) == 1
    har = json.loads((out / RECORDING_HAR).read_text(encoding="utf-8"))
    urls = [e["request"]["url"] for e in har["log"]["entries"]]
    assert any("/api/ehrss/si/person/quick-search" in u for u in urls)
    # Our npm-installed libraries are not the site's responses: replay serves them locally.
    assert not any("/web/angular/" in u for u in urls)

    # The ID number appears in the URL, the request body and the page; it is masked everywhere.
    for file in out.rglob("*"):
        if file.suffix in (".json", ".har", ".html"):
            assert IDCARD not in file.read_text(encoding="utf-8"), f"unmasked ID number in {file.name}"

    # The server is gone: the folder replays from its snapshot and HAR alone.
    [result] = replay_targets([out], wait=2)
    assert result.loaded, result.error
    assert [e["rule"] for e in result.events] == ["person-info-not-found"]


def test_record_rejects_a_non_positive_duration(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "http://127.0.0.1:9/", "--out", "unused", "--headless", "--duration", "0"]) == 2
    assert "--duration" in capsys.readouterr().err


def test_record_of_an_unreachable_page_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "http://127.0.0.1:9/", "--out", str(tmp_path / "rec"), "--headless", "--duration", "1"]) == 1
    assert "无法加载，未能录制" in capsys.readouterr().err
