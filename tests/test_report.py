"""Reports of a screenshot batch: JSON, flat CSV, self-contained HTML with escaped text."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from interceptor import RuleSet
from interceptor.report import to_csv, to_html, to_json, write_reports
from interceptor.shots import BatchResult, ShotResult

SHOTS = Path(__file__).resolve().parent.parent / "fixtures" / "shots" / "images"
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
def batch(tmp_path: Path) -> BatchResult:
    picture = tmp_path / "err.png"
    Image.new("RGB", (300, 200), "white").save(picture)
    return BatchResult(
        [
            ShotResult(
                file=str(SHOTS / "layui-two-errors-s1.png"),
                rule="person-info-not-found",
                rules=["person-info-not-found", "hr-service-fields-not-allowed"],
                text="第2行：未获取到人员基本信息；\n第5行：只有人力资源服务单位才能输入人力资源服务信息",
                region=(520.0, 375.0, 880.0, 420.0),
            ),
            ShotResult(
                file=str(picture),
                rule="person-already-collected",
                rules=["person-already-collected"],
                captures={"person_no": "3200017654"},
                text="人员信息已采集，人员编号为3200017654",
            ),
            ShotResult(file=str(tmp_path / "unknown.png"), text=HOSTILE),
            ShotResult(file=str(tmp_path / "broken.png"), error="图片数据不完整或已损坏。"),
        ]
    )


def test_json_has_one_object_per_file_with_the_documented_keys(batch: BatchResult) -> None:
    rows = json.loads(to_json(batch))
    assert [Path(r["file"]).name for r in rows] == [
        "layui-two-errors-s1.png",
        "err.png",
        "unknown.png",
        "broken.png",
    ]
    assert all(set(r) == {"file", "rule", "rules", "captures", "text", "error", "pass"} for r in rows)
    assert rows[0]["rules"] == ["person-info-not-found", "hr-service-fields-not-allowed"]
    assert rows[3] == {
        "file": rows[3]["file"],
        "rule": None,
        "rules": [],
        "captures": {},
        "text": "",
        "error": "图片数据不完整或已损坏。",
        "pass": None,
    }


def test_csv_is_flat_one_row_per_file(batch: BatchResult, ruleset: RuleSet) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(batch, ruleset))))
    assert len(rows) == 4
    assert rows[0]["rules"] == "person-info-not-found;hr-service-fields-not-allowed"
    assert rows[0]["title"] == ruleset.get("person-info-not-found").title
    assert "\n" not in rows[0]["text"] and " | " in rows[0]["text"]
    assert rows[1]["captures"] == "person_no=******7654"  # a 人员编号 keeps its last four
    assert rows[3]["error"] and not rows[3]["rule"]


def test_html_counts_rules_and_makes_unknown_and_unreadable_easy_to_find(
    batch: BatchResult, ruleset: RuleSet
) -> None:
    page = to_html(batch, ruleset)
    for anchor in ("rule-person-info-not-found", "rule-person-already-collected", "unknown", "error"):
        assert f'id="{anchor}"' in page and f'href="#{anchor}"' in page
    assert ruleset.get("hr-service-fields-not-allowed").remedy.steps[0] in page
    assert " › ".join(ruleset.get("person-info-not-found").remedy.menu_paths[0]) in page
    assert "图片数据不完整或已损坏。" in page


def test_html_shows_page_text_only_as_text(batch: BatchResult, ruleset: RuleSet) -> None:
    page = to_html(batch, ruleset)
    assert HOSTILE not in page
    assert "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=" in page


def test_html_is_self_contained_with_embedded_thumbnails(batch: BatchResult, ruleset: RuleSet) -> None:
    page = to_html(batch, ruleset)
    images = re.findall(r'<img[^>]* src="([^"]+)"', page)
    assert len(images) == 3  # two thumbnails and one close-up of the error text
    assert all(src.startswith("data:image/jpeg;base64,") for src in images)
    assert "http://" not in page and "https://" not in page


def test_write_reports_writes_what_was_asked(batch: BatchResult, ruleset: RuleSet, tmp_path: Path) -> None:
    written = write_reports(
        batch, ruleset, json_file=tmp_path / "a" / "r.json", html_file=tmp_path / "r.html"
    )
    assert written == [tmp_path / "a" / "r.json", tmp_path / "r.html"]
    assert not (tmp_path / "r.csv").exists()
    assert 'href="./err.png"' in (tmp_path / "r.html").read_text(encoding="utf-8")
