"""Screenshot batches and personal data: inputs that are not pictures, the OCR cache's masked,
owner-only entries and damaged cache entries."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from PIL import Image
from shot_files import make_png

from interceptor import RuleSet
from interceptor.ocr import OcrEngine, OcrLine
from interceptor.shots import (
    MAX_FILE_BYTES,
    OcrCache,
    Reading,
    check_shots,
    result_from_reading,
)


def line(text: str, x: float, y: float, h: float = 20.0, w: float | None = None) -> OcrLine:
    width = w if w is not None else len(text) * h * 0.7
    return OcrLine(text, (x, y, x + width, y + h), 0.99)


class FakeEngine:
    """Reads the text from the PNG's own ``fake_text`` note: no models, instant."""

    name = "fake-1"
    calls = 0

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        FakeEngine.calls += 1
        text = image.info.get("fake_text", "")
        return [line(t, 10, 10 + 30 * i) for i, t in enumerate(text.splitlines()) if t]


def fake_engine() -> OcrEngine:
    return FakeEngine()



PERSONAL = "王晓明（320502199103154512）：该人员为灵活就业参保人员\n人员信息已采集，人员编号为3200017654"
POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX devices, FIFOs and file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@POSIX
def test_devices_fifos_and_huge_files_get_one_row_and_the_batch_goes_on(
    tmp_path: Path, ruleset: RuleSet
) -> None:
    good = make_png(tmp_path / "good.png", "户籍性质为空")
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.png"
    with huge.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_FILE_BYTES + 1)
    batch = check_shots(
        ["/dev/zero", fifo, huge, tmp_path, good], rules=ruleset, engine_factory=fake_engine, workers=1
    )
    rows = {Path(r.file).name: r for r in batch.results}
    assert "普通文件" in (rows["zero"].error or "")
    assert "普通文件" in (rows["pipe.png"].error or "")
    assert "过大" in (rows["huge.png"].error or "") and "50 MB" in (rows["huge.png"].error or "")
    assert rows["good.png"].rule == "household-type-missing" and rows["good.png"].error is None
    assert not batch.interrupted


def entry_files(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.json"))


@POSIX
def test_cache_keeps_masked_text_in_owner_only_files(tmp_path: Path, ruleset: RuleSet) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make_png(folder / "a.png", PERSONAL)
    cache = tmp_path / "cache"
    old = os.umask(0o022)
    try:
        check_shots([folder], rules=ruleset, engine_factory=fake_engine, workers=1, cache_dir=cache)
    finally:
        os.umask(old)
    (entry,) = entry_files(cache)
    raw = entry.read_text(encoding="utf-8")
    assert "320502199103154512" not in raw and "3200017654" not in raw
    assert "**************4512" in raw and "******7654" in raw
    assert mode(entry) == 0o600
    folders = [entry.parent, *entry.parent.parents]
    assert all(mode(f) == 0o700 for f in folders[: folders.index(cache) + 1])


def test_rows_from_the_masked_cache_equal_fresh_rows(tmp_path: Path, ruleset: RuleSet) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make_png(folder / "a.png", PERSONAL)
    make_png(folder / "b.png", "人员信息已采集，人员编号为3200017654")  # the capture is masked in the cache
    cache = tmp_path / "cache"
    FakeEngine.calls = 0
    fresh = check_shots([folder], rules=ruleset, engine_factory=fake_engine, workers=1, cache_dir=cache)
    again = check_shots([folder], rules=ruleset, engine_factory=fake_engine, workers=1, cache_dir=cache)
    assert FakeEngine.calls == 2 and all(r.cached for r in again.results)
    assert fresh.results[0].rules == ["flexible-employment-insured", "person-already-collected"]
    assert fresh.results[1].captures == {"person_no": "******7654"}
    for one, two in zip(fresh.results, again.results, strict=True):
        assert (one.to_dict(), one.region, one.hidden) == (two.to_dict(), two.region, two.hidden)


def test_masked_cache_still_locates_personal_data_when_rules_change(ruleset: RuleSet) -> None:
    text = "王晓明（320502199103154512）：该人员为灵活就业参保人员"
    reading = Reading(None, [], [line(text, 100, 10, w=len(text) * 14.0)])
    fresh = result_from_reading("a.png", reading, ruleset)
    stored = Reading.from_json(json.loads(json.dumps(reading.masked().to_json())))
    assert "320502199103154512" not in json.dumps(stored.to_json(), ensure_ascii=False)
    again = result_from_reading("a.png", stored, ruleset)  # classified on the masked text
    assert fresh is not None and again is not None
    assert (again.rule, again.text, again.hidden) == (fresh.rule, fresh.text, fresh.hidden)
    assert fresh.hidden


DAMAGED: list[bytes] = [
    text.encode("utf-8")
    for text in (
        '{"reading": {"focus": null, "focus_lines": [], "full_lines": [["户籍性质为空", [1e400, 0, 10, 10], 0.9]]}}',
        '{"reading": {"focus": null, "focus_lines": [], "full_lines": [["户籍性质为空", [0, 0, 10, 10], NaN]]}}',
        '{"reading": {"focus": null, "focus_lines": [], "full_lines": [["户籍性质为空", [0, 0, Infinity, 10], 1]]}}',
        '{"reading": {"focus": null, "focus_lines": [], "full_lines": [[12345, [0, 0, 10, 10], 1]]}}',
        '{"reading": {"focus": null, "focus_lines": [], "full_lines": [["户籍性质为空", "0,0,10,10", 1]]}}',
        '{"reading": {"focus": [0, 0], "focus_lines": [], "full_lines": []}}',
        '{"reading": {"focus": null, "focus_lines": "abc", "full_lines": null}}',
        '{"reading": {"focus": null, "focus_lines": [], "full_lines": [["户籍性质为空", [0, 0, 10, 10], 1, [0, 99]]]}}',
        '{"reading": {"focus": null, "focus_lines": [], "full_lines": []}, "verdict": {"rule": 1}, "rules": ""}',
        '{"reading": {"focus": null, "focus_lines": [], "full_lines": [["户籍性质',
        "[]",
        "null",
        "[" * 100_000,
    )
] + [b"\xff\xfe not utf-8"]


@pytest.mark.parametrize("content", DAMAGED)
def test_damaged_cache_entry_is_a_miss_and_the_batch_goes_on(
    content: bytes, tmp_path: Path, ruleset: RuleSet
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    damaged = make_png(folder / "a.png", "户籍性质为空")
    make_png(folder / "b.png", "未获取到人员基本信息")
    cache_dir = tmp_path / "cache"
    check_shots([folder], rules=ruleset, engine_factory=fake_engine, workers=1, cache_dir=cache_dir)
    digest = hashlib.sha256(damaged.read_bytes()).hexdigest()
    entry = OcrCache(cache_dir, FakeEngine.name)._path(digest)
    assert entry.exists()
    entry.write_bytes(content)
    FakeEngine.calls = 0
    batch = check_shots([folder], rules=ruleset, engine_factory=fake_engine, workers=1, cache_dir=cache_dir)
    assert FakeEngine.calls == 1  # the damaged entry's picture was read again, the other came from the cache
    assert [(r.rule, r.error) for r in batch.results] == [
        ("household-type-missing", None),
        ("person-info-not-found", None),
    ]
    assert not batch.results[0].cached and batch.results[1].cached


def test_entries_of_older_formats_with_unmasked_text_are_removed(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    old = cache_dir / "v2-fake-1" / "ab"
    old.mkdir(parents=True)
    (old / "ab12.json").write_text(json.dumps({"focus_lines": [["320502199103154512", [0, 0, 1, 1], 1]]}))
    other = cache_dir / "notes"
    other.mkdir()
    OcrCache(cache_dir, "fake-1")
    assert not (cache_dir / "v2-fake-1").exists()
    assert other.exists()
