"""Reading a picture file safely: what is not a sane screenshot is refused before it is
decoded, with a Chinese sentence (``UnreadableImage``) that becomes that file's report row.

Only regular files up to :data:`MAX_FILE_BYTES` are read (``shots /dev/zero``, a FIFO or a
device never are), and images are checked from their header against :data:`MAX_PIXELS`
before decoding, so a decompression bomb never reaches memory.
"""

from __future__ import annotations

import errno
import os
import stat
import warnings
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ImageError

if TYPE_CHECKING:
    from PIL import Image

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp"})
# Larger than any real screen (an 8K screenshot is 33 MP); checked from the header before
# decoding, so a decompression bomb never reaches memory.
MAX_PIXELS = 50_000_000
MAX_SIDE = 20_000
# No screenshot or phone photo comes near this; anything larger is refused before reading.
MAX_FILE_BYTES = 50 * 1024 * 1024


class UnreadableImage(ImageError):
    """The file cannot be used as a picture; the message says why, for the report's ``error``
    field (one row of the batch, which goes on)."""


def read_input(path: str | Path) -> bytes:
    """The bytes of a picture file, refusing what is not a regular file of a sane size.

    ``shots /dev/zero`` or a FIFO would otherwise be read until memory runs out (or block for
    ever), so devices, pipes and folders are refused from their ``stat`` before they are
    opened, and the size is checked again on the opened file and while reading.
    """
    too_big = "文件过大（{:.0f} MB，上限 {:.0f} MB），不像截图，已跳过。"
    limit_mb = MAX_FILE_BYTES / 1024 / 1024
    not_regular = "不是普通文件（设备、管道或文件夹），已跳过。"
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise UnreadableImage(not_regular)
        # Non-blocking, so a file swapped for a FIFO after the check cannot hang the batch.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise UnreadableImage(not_regular)
            if info.st_size > MAX_FILE_BYTES:
                raise UnreadableImage(too_big.format(info.st_size / 1024 / 1024, limit_mb))
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UnreadableImage(_os_reason(exc)) from None
    if len(data) > MAX_FILE_BYTES:  # it grew while we read it
        raise UnreadableImage(too_big.format(len(data) / 1024 / 1024, limit_mb))
    return data


def _os_reason(exc: OSError) -> str:
    """Why a file cannot be read, in Chinese (the system's own words are English)."""
    reasons = {
        errno.ENOENT: "文件不存在，请检查路径是否写对。",
        errno.EACCES: "没有权限读取这个文件。",
        errno.EPERM: "没有权限读取这个文件。",
        errno.EISDIR: "这是一个文件夹，不是图片。",
        errno.ENAMETOOLONG: "文件名太长。",
        errno.EIO: "读取文件时磁盘出错。",
    }
    return "无法读取文件：" + reasons.get(exc.errno or 0, "系统拒绝读取（请检查文件是否完好、是否被占用）。")


def load_image(data: bytes) -> Image.Image:
    """Decode an image for OCR, refusing what is not a sane picture before decoding it."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise UnreadableImage("文件为空（0 字节）。")
    too_big = "图片过大（{}×{} 像素），不像屏幕截图，为防止耗尽内存已跳过。"
    try:
        with warnings.catch_warnings():
            # Our own limit below is stricter than Pillow's bomb warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
    except UnidentifiedImageError:
        raise UnreadableImage("不是图片，或图片格式无法识别。") from None
    except Image.DecompressionBombError:
        raise UnreadableImage(too_big.format("极大", "极大")) from None
    except Exception:  # Pillow raises several types (in English) for broken headers
        raise UnreadableImage("图片文件头已损坏，无法识别。") from None
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise UnreadableImage(too_big.format(width, height))
    if width < 8 or height < 8:
        raise UnreadableImage(f"图片太小（{width}×{height} 像素），无法识别文字。")
    try:
        image.load()
        # Phone photos are stored sideways with an EXIF note saying how to turn them.
        upright: Image.Image = ImageOps.exif_transpose(image) or image
        if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return upright.convert("RGB")
    except Exception:
        raise UnreadableImage("图片数据不完整或已损坏，请重新截图或换一张。") from None
