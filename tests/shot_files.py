"""Picture files for the screenshot tests: PNGs whose text the fake OCR engines read from a
``fake_text`` note, and a folder of bad inputs that a batch must turn into rows."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

SHOTS = Path(__file__).resolve().parent.parent / "fixtures" / "shots"


def make_png(path: Path, text: str, size: tuple[int, int] = (64, 48)) -> Path:
    """A blank PNG carrying ``text`` for the fake engines."""
    info = PngInfo()
    info.add_text("fake_text", text)
    Image.new("RGB", size, "white").save(path, pnginfo=info)
    return path


def fill_bad_folder(folder: Path) -> Path:
    """An error, a menu in a subfolder, an empty file, text named .jpg, a truncated PNG and a
    file that is not a picture at all."""
    (folder / "sub").mkdir(parents=True)
    make_png(folder / "a-error.png", "户籍性质为空")
    make_png(folder / "sub" / "b-menu.png", "人员基础信息采集\n户籍性质维护")
    (folder / "c-empty.png").write_bytes(b"")
    (folder / "d-text.jpg").write_text("not a picture", encoding="utf-8")
    good = (SHOTS / "images" / "girder-household-s1.png").read_bytes()
    (folder / "e-truncated.png").write_bytes(good[: len(good) // 3])
    (folder / "notes.txt").write_text("ignored: not an image suffix", encoding="utf-8")
    return folder
