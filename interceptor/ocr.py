"""Text recognition for screenshots: a small engine interface and the RapidOCR adapter.

``shots`` only needs lines of text with their boxes, so any engine that returns
:class:`OcrLine` objects can be plugged in through :class:`OcrEngine`. The bundled
adapter runs RapidOCR (PP-OCRv4 models on onnxruntime, shipped inside the
``rapidocr-onnxruntime`` package, so it works offline).

Why the adapter does not simply call ``RapidOCR()(image)``: the stock pipeline runs its
text detector on up to 2000 px (upscaling small pictures first) and an angle classifier on
every line. Measured on our dev set (``benchmarks/shots_throughput.py``):

* detection runs on a copy whose longest side is at most ``det_max_side`` pixels, and the
  crops for recognition come from the full-size picture;
* boxes too short to hold a character (``min_text_height``) are not recognised;
* the angle classifier is skipped: screenshots and photos of screens hold horizontal text,
  and the slight rotation of a photo is absorbed by the per-box perspective crop;
* each line's contrast is stretched (``stretch``) before recognition, which reads pale toasts
  in chat-compressed JPEGs that the stock pipeline gets wrong.

Recognition keeps the model's own text height (``rec_height`` 48): at 32 it is faster, but
small text from chat-compressed pictures was misread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its text, its box (left, top, right, bottom) in image pixels, and
    the recogniser's confidence (0..1).

    ``hidden`` is set on lines that come back from the OCR cache, whose text is stored masked:
    the first and last index of the characters that were masked, so report pictures can still
    pixelate them (the masked text itself no longer says where the personal data was).
    """

    text: str
    box: tuple[float, float, float, float]
    score: float
    hidden: tuple[int, int] | None = None

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]


@runtime_checkable
class OcrEngine(Protocol):
    """What ``shots`` needs from an OCR engine.

    ``name`` identifies the engine and its settings; it is part of the cache key, so change
    it whenever a setting that changes results changes.
    """

    name: str

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        """Every text line found in an RGB image, in any order."""
        ...


def _rapidocr_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rapidocr-onnxruntime")
    except PackageNotFoundError:  # pragma: no cover - only when run from a source tree copy
        return "unknown"


class RapidOcrEngine:
    """RapidOCR with the settings described in the module docstring.

    ``full=True`` gives RapidOCR's stock pipeline (whole image, angle classifier, default
    sizes), used as the baseline in the benchmark.
    """

    def __init__(
        self,
        *,
        det_max_side: int = 1280,
        rec_height: int = 48,
        min_text_height: float = 6.0,
        text_score: float = 0.5,
        stretch: bool = True,
        threads: int | None = None,
        full: bool = False,
    ) -> None:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]

        self.full = full
        self.det_max_side = det_max_side
        self.rec_height = rec_height
        self.min_text_height = min_text_height
        self.text_score = text_score
        self.stretch = stretch
        params: dict[str, Any] = {}
        if threads:
            # Several worker processes each using every core only fight over the cores.
            # (RapidOCR copies the global thread setting into each stage.)
            params["intra_op_num_threads"] = threads
        if not full:
            # "max" with a side this long never resizes: _fast shrinks pictures itself.
            params.update({"det_limit_type": "max", "det_limit_side_len": 4096})
        self._ocr: Any = RapidOCR(**params)
        if not full:
            self._ocr.text_rec.rec_image_shape = [3, rec_height, 320]
        self.name = self.describe(
            det_max_side=det_max_side,
            rec_height=rec_height,
            min_text_height=min_text_height,
            stretch=stretch,
            full=full,
        )

    @staticmethod
    def describe(
        *,
        det_max_side: int = 1280,
        rec_height: int = 48,
        min_text_height: float = 6.0,
        stretch: bool = True,
        full: bool = False,
    ) -> str:
        """The engine name for these settings, without loading any model."""
        version = _rapidocr_version()
        if full:
            return f"rapidocr-{version}-full"
        return (
            f"rapidocr-{version}-det{det_max_side}-rec{rec_height}-min{min_text_height:g}"
            f"{'-stretch' if stretch else ''}"
        )

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        import numpy as np

        rgb = np.asarray(image.convert("RGB"))
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        if self.full:
            return self._full(bgr)
        return self._fast(bgr)

    def _full(self, bgr: Any) -> list[OcrLine]:
        result, _ = self._ocr(bgr)
        return [_line(box, text, score) for box, text, score in result or []]

    def _fast(self, bgr: Any) -> list[OcrLine]:
        import cv2
        import numpy as np

        ocr = self._ocr
        # RapidOCR's own resizing never shrinks below 1500/2000 px, so shrink here; boxes
        # are scaled back and the crops for recognition come from the full-size picture.
        height, width = bgr.shape[:2]
        scale = min(1.0, self.det_max_side / max(height, width))
        small = (
            bgr
            if scale == 1.0
            else cv2.resize(bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        )
        boxes, _ = ocr.text_det(small)
        if boxes is None or len(boxes) == 0:
            return []
        boxes = np.asarray(boxes, dtype=np.float32) / np.float32(scale)
        boxes[..., 0] = boxes[..., 0].clip(0, width - 1)
        boxes[..., 1] = boxes[..., 1].clip(0, height - 1)
        kept = []
        for quad in ocr.sorted_boxes(boxes):
            height = min(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))
            if height >= self.min_text_height:
                kept.append(quad)
        if not kept:
            return []
        crops = ocr.get_crop_img_list(bgr, kept)
        if self.stretch:
            crops = [_stretch(crop) for crop in crops]
        results, _ = ocr.text_rec(crops)
        lines = []
        for quad, (text, score, *_) in zip(kept, results, strict=True):
            if float(score) >= self.text_score and text.strip():
                lines.append(_line(quad, text, score))
        return lines


def _stretch(crop: Any) -> Any:
    """Grey crop with its contrast stretched to full range.

    Error toasts are often pale (Element's red on pink, text under a half-transparent
    layer), and chat apps' JPEG compression blurs them further; stretching each line's own
    range lets the recogniser see them as it sees black on white.
    """
    import cv2
    import numpy as np

    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    low, high = np.percentile(grey, (2, 98))
    if high - low < 8:
        return crop
    scaled = np.clip((grey.astype(np.float32) - low) * (255.0 / (high - low)), 0, 255).astype(np.uint8)
    return cv2.cvtColor(scaled, cv2.COLOR_GRAY2BGR)


def _line(quad: Any, text: str, score: Any) -> OcrLine:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return OcrLine(text=str(text), box=(min(xs), min(ys), max(xs), max(ys)), score=float(score))


def default_threads(workers: int) -> int:
    """onnxruntime threads per worker so that all workers together use each core once."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))
