"""Reports that cannot be turned against their reader: CSV formulas, hostile file names in
HTML links, owner-only files, personal data masked everywhere."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image

from interceptor import RuleSet
from interceptor.report import csv_cell, to_csv, to_html, to_json, write_reports
from interceptor.shots import BatchResult, ShotResult

HOSTILE_NAMES = [
    "javascript:alert(1).png",
    'a" onmouseover="alert(1).png',
    "<script>alert(1)<",
    "data:text,html.png",
    "100% 'x' & y #z?.png",
]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.attributes: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self.attributes += [name for name, _ in attrs]
        if tag == "a":
            self.hrefs += [v or "" for k, v in attrs if k == "href" and not (v or "").startswith("#")]


@pytest.mark.skipif(os.name == "nt", reason='file names with < and " do not exist on Windows')
def test_hostile_file_names_never_become_script_links_or_break_attributes(
    tmp_path: Path, ruleset: RuleSet
) -> None:
    results = []
    for name in HOSTILE_NAMES:
        picture = tmp_path / "shots" / name
        picture.parent.mkdir(exist_ok=True)
        Image.new("RGB", (40, 40), "white").save(picture, "PNG")
        results.append(ShotResult(file=str(picture), text="户籍性质为空"))
    page = to_html(BatchResult(results), ruleset, base=tmp_path)
    links = Links()
    links.feed(page)
    assert links.scripts == 0
    assert not {"onmouseover", "onerror"} & set(links.attributes)
    assert len(links.hrefs) == len(HOSTILE_NAMES)
    for href, name in zip(links.hrefs, HOSTILE_NAMES, strict=True):
        assert href.startswith("./") and ":" not in href and '"' not in href and "<" not in href
        assert (tmp_path / unquote(href)).resolve() == (tmp_path / "shots" / name).resolve()


@pytest.mark.parametrize("value", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(value: str, ruleset: RuleSet) -> None:
    assert csv_cell(value) == "'" + value
    batch = BatchResult([ShotResult(file=value + ".png", text=value, error=value, captures={"code": value})])
    (row,) = csv.DictReader(io.StringIO(to_csv(batch, ruleset)))
    for key in ("file", "text", "error"):
        # The text's line breaks become spaces first; whatever is left must not start a formula.
        assert row[key].startswith("'") or row[key][:1] not in "=+-@\t\r", (key, row[key])
    assert row["file"].startswith("'") and row["error"].startswith("'")
    assert row["captures"] == f"code={value}"  # starts with a letter: left as is


def test_plain_csv_cells_are_left_alone() -> None:
    for value in ("户籍性质为空", "a=b", "3500.00", ""):
        assert csv_cell(value) == value


PERSONAL = ShotResult(
    file="张三320102199001011234.png",
    rule="person-already-collected",
    rules=["person-already-collected"],
    captures={"person_no": "3201001234", "name": "王小明"},
    text="人员信息已采集，人员编号为3201001234，手机 138 1234 5678",
    error=None,
)


def test_every_report_masks_personal_data_and_captures(ruleset: RuleSet) -> None:
    batch = BatchResult([PERSONAL])
    for report in (to_json(batch), to_csv(batch, ruleset), to_html(batch, ruleset, base=Path("."))):
        for secret in ("320102199001011234", "3201001234", "小明", "138 1234"):
            assert secret not in report, (secret, report)
    row = json.loads(to_json(batch))[0]
    assert row["captures"] == {"person_no": "******1234", "name": "王**"}
    assert row["file"] == "张三**************1234.png"


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_report_files_and_their_new_folder_are_owner_only(tmp_path: Path, ruleset: RuleSet) -> None:
    out = tmp_path / "new" / "reports"
    old = os.umask(0o022)
    try:
        written = write_reports(
            BatchResult([PERSONAL]),
            ruleset,
            json_file=out / "r.json",
            csv_file=out / "r.csv",
            html_file=out / "r.html",
        )
    finally:
        os.umask(old)
    assert len(written) == 3
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700 and stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    assert (out / "r.csv").read_bytes().startswith(b"\xef\xbb\xbffile,")
