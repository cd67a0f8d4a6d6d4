"""``interceptor replay`` over the whole fixtures/pages corpus, and its command line.

All cases are replayed in one go (the way a user replays a folder of pages: concurrently,
one browser), then each case is checked against its expected.yaml in its own test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from interceptor import RuleSet
from interceptor.cli import main
from interceptor.recording import RECORDING_META
from interceptor.replay import PageResult, ReplayTarget, replay_targets

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
# A case's wait is what it needs on a quiet machine; the whole corpus replays six at a time
# on two cores in CI, where frames and their timers start later.
SLACK_S = 1.0
CASES = sorted(p for p in PAGES.iterdir() if (p / "expected.yaml").is_file())


def _expected(folder: Path) -> dict[str, Any]:
    data = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data.get("description"), f"{folder.name}: expected.yaml needs a description"
    return data


def _target(folder: Path) -> ReplayTarget:
    """What a user would pass: the folder (a page folder or a recording), or the bare .har."""
    data = _expected(folder)
    hars = sorted(folder.glob("*.har"))
    spec = folder
    if not (folder / "index.html").is_file() and not (folder / RECORDING_META).is_file() and len(hars) == 1:
        spec = hars[0]
    wait = float(data.get("wait", 3)) + SLACK_S
    return ReplayTarget(str(spec), wait=wait, dialogs=str(data.get("dialogs", "accept")))


@pytest.fixture(scope="module")
def replayed(ruleset: RuleSet) -> Iterator[dict[str, PageResult]]:
    results = replay_targets([_target(c) for c in CASES], rules=ruleset, concurrency=6)
    yield {case.name: result for case, result in zip(CASES, results, strict=True)}


def _matches(expected: dict[str, Any], event: dict[str, Any]) -> bool:
    if (event["rule"] or "unknown") != expected["rule"]:
        return False
    if "source" in expected and event["source"] != expected["source"]:
        return False
    if "text_contains" in expected and str(expected["text_contains"]) not in event["text"]:
        return False
    return all(event["captures"].get(k) == str(v) for k, v in (expected.get("captures") or {}).items())


def test_corpus_has_at_least_twenty_cases_with_recordings() -> None:
    assert len(CASES) >= 20
    assert any((c / RECORDING_META).is_file() for c in CASES), "no recorded folder among the cases"
    assert any(_target(c).spec.endswith(".har") for c in CASES), "no bare .har case"


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_replay_matches_expected(folder: Path, replayed: dict[str, PageResult]) -> None:
    data = _expected(folder)
    result = replayed[folder.name]
    assert result.loaded, result.error
    left = list(result.events)
    problems = []
    for expected in data.get("events") or []:
        found = next((e for e in left if _matches(expected, e)), None)
        if found is None:
            problems.append(f"missing {expected}")
        else:
            left.remove(found)
    if data.get("strict", True) and left:
        problems += [f"unexpected {e['source']} {e['rule'] or 'unknown'}: {e['text']!r}" for e in left]
    assert not problems, f"{folder.name} ({data['description']}): " + "; ".join(problems)
    for event in result.events:
        assert set(event) == {"source", "text", "rule", "captures", "overlay", "frame_url"}


def test_cli_reports_unloadable_target_and_still_writes_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = PAGES / "demo-unknown-maintenance" / "index.html"
    missing = tmp_path / "no-such-page.html"
    not_a_target = tmp_path / "notes.txt"
    not_a_target.write_text("hello", encoding="utf-8")
    out = tmp_path / "out" / "replay.json"
    code = main(["replay", str(missing), str(good), str(not_a_target), "--wait", "2", "--json", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"目标 {missing} 不存在" in err
    assert f"目标 {not_a_target} 既不是 http(s) 网址" in err
    pages = json.loads(out.read_text(encoding="utf-8"))["pages"]
    assert [p["target"] for p in pages] == [str(missing), str(good), str(not_a_target)]
    assert pages[0]["events"] == [] and "error" in pages[0]
    assert [e["rule"] for e in pages[1]["events"]] == [None]
    assert "error" not in pages[1]


def test_cli_refused_connection_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["replay", "http://127.0.0.1:9/", "--wait", "0"])
    assert code == 1
    assert "无法加载" in capsys.readouterr().err


def test_cli_masks_personal_data_and_writes_screenshots(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><div role="alert">该人员为灵活就业参保人员（320583198805126011）</div>',
        encoding="utf-8",
    )
    out, shots = tmp_path / "r.json", tmp_path / "shots"
    assert main(["replay", str(page), "--wait", "1", "--json", str(out), "--screenshots", str(shots)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "320583198805126011" not in text and "6011" in text
    events = json.loads(text)["pages"][0]["events"]
    assert [e["rule"] for e in events] == ["flexible-employment-insured"]
    assert len(list(shots.glob("*.png"))) == 1


LATE_FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>首页</p>
<script>
  // Like a layui layer: the business frame is created after the page's load event.
  window.addEventListener("load", function () {
    setTimeout(function () {
      var f = document.createElement("iframe"); f.src = "busi.html"; document.body.appendChild(f);
    }, 2000);
  });
</script></body></html>"""
BUSI = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<script>
  setTimeout(function () {
    var d = document.createElement("div"); d.setAttribute("role", "alert");
    d.textContent = "户籍性质为空"; document.body.appendChild(d);
  }, 3000);
</script></body></html>"""


def test_watch_window_counts_from_frames_created_after_load(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(LATE_FRAME, encoding="utf-8")
    (tmp_path / "busi.html").write_text(BUSI, encoding="utf-8")
    # The frame arrives 2 s into the 4 s window and shows its error 3 s after that: at least
    # 5 s after load, past a window counted from the load event alone, and about 1 s inside
    # one counted from the frame's arrival (delays only move both later).
    # The folder is the target: the frame is made by a script, so it is no reference of index.html.
    [result] = replay_targets([ReplayTarget(str(tmp_path), wait=4)])
    assert result.loaded, result.error
    assert [e["rule"] for e in result.events] == ["household-type-missing"]


def test_watch_window_waits_for_late_frames_only_so_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "index.html").write_text(
        "<!DOCTYPE html><html><body><script>setInterval(function () {"
        " var f = document.createElement('iframe'); f.src = 'about:blank?' + Date.now();"
        " document.body.appendChild(f); }, 200);</script></body></html>",
        encoding="utf-8",
    )
    monkeypatch.setattr("interceptor.replay.MAX_SETTLE_S", 1.0)
    started = time.monotonic()
    [result] = replay_targets([ReplayTarget(str(tmp_path / "index.html"), wait=0.5)])
    assert result.loaded, result.error
    # Load, then at most 1 s of settling and the 0.5 s window: never the 30 s load limit.
    assert time.monotonic() - started < 10


LATE_SHADOW_ROOT = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="host"></div>
<script>
  // An element already on the page gets its open shadow root, and its banner, after load: no
  // element is added, so only shadow-hook.js, run in the document from its first line, can
  // tell the watcher about it.
  window.addEventListener("load", function () {
    setTimeout(function () {
      document.getElementById("host").attachShadow({ mode: "open" }).innerHTML =
        '<style>div{color:#a94442}</style><div role="alert">保存失败：户籍性质为空</div>';
    }, 300);
  });
</script></body></html>"""


def test_replayed_pages_are_watched_from_their_first_line(tmp_path: Path, ruleset: RuleSet) -> None:
    # Several at once, as the corpus runs: a page whose channel opened while its first
    # navigation was already under way got the watcher late and the shadow hook never.
    page = tmp_path / "late-root.html"
    page.write_text(LATE_SHADOW_ROOT, encoding="utf-8")
    results = replay_targets([ReplayTarget(str(page), wait=1.5)] * 4, rules=ruleset, concurrency=4)
    assert [[e["rule"] for e in r.events] for r in results] == [["household-type-missing"]] * 4
