"""`interceptor shots` as a clerk meets it: mistakes in Chinese, honest counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from interceptor.cli import main
from interceptor.report import print_summary
from interceptor.shots import BatchResult, ShotResult, UnreadableImage, load_image, read_input

SHOT = Path(__file__).resolve().parent.parent / "fixtures" / "shots" / "images" / "girder-unknown-s1.png"


def test_a_misspelt_path_is_named_and_nothing_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shots", str(tmp_path / "截图文件夹"), "--no-cache"]) == 2
    assert f"找不到 {tmp_path / '截图文件夹'}" in capsys.readouterr().err


def test_an_empty_folder_is_said_and_is_not_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shots", str(tmp_path), "--no-cache"]) == 1
    assert "没有找到图片" in capsys.readouterr().err


def test_zero_workers_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shots", str(SHOT), "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_unreadable_files_are_said_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(UnreadableImage, match="文件不存在"):
        read_input(str(tmp_path / "gone.png"))
    truncated = SHOT.read_bytes()[:200]
    with pytest.raises(UnreadableImage) as caught:
        load_image(truncated)
    assert not any(word in str(caught.value) for word in ("image", "file", "truncated", "cannot"))


def test_files_a_stopped_batch_never_reached_are_not_counted_as_unreadable() -> None:
    from rich.console import Console

    from interceptor import load_rules

    batch = BatchResult(
        [ShotResult(file="a.png", rule="household-type-missing", rules=["household-type-missing"]),
         ShotResult(file="b.png", error="批处理被中断，此文件未识别。", skipped=True)],
        interrupted=True,
    )
    assert batch.counts == {"household-type-missing": 1, "skipped": 1}
    console = Console(record=True, width=200)
    print_summary(batch, load_rules(), console)
    text = console.export_text()
    assert "未处理 1" in text and "无法读取 0" in text and "household-type-missing" not in text
