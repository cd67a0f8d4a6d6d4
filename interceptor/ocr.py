"""Text recognition for screenshots: a small engine interface and the RapidOCR adapter.

``shots`` only needs lines of text with their boxes, so any engine that returns
:class:`OcrLine` objects can be plugged in through :class:`OcrEngine`. The bundled
adapter runs RapidOCR's PP-OCRv4 models on one of two runtimes, each shipping the models
inside its own wheel, so nothing is downloaded at run time:

* ``openvino`` (``rapidocr-openvino``): about twice as fast on the CPUs we measured;
* ``onnxruntime`` (``rapidocr-onnxruntime``).

:func:`pick_backend` chooses the fastest one installed that reads a tiny built-in picture
of known text correctly (:func:`self_check`), so a broken install falls back to the other.

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

import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image


# A line's input width for the recogniser is rounded up to this many pixels, so that a folder
# of pictures needs few input shapes (see RapidOcrEngine._recognize).
WIDTH_STEP = 64


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its text, its box (left, top, right, bottom) in image pixels, and
    the recogniser's confidence (0..1).

    ``hidden`` is set on lines that come back from the OCR cache, whose text is stored masked:
    the first and last index of the characters that were masked, so report pictures can still
    pixelate them (the masked text itself no longer says where the personal data was).

    ``chars`` is the recogniser's confidence for each character of ``text`` (empty when the
    engine does not say), used by :mod:`interceptor.ocr_match`.
    """

    text: str
    box: tuple[float, float, float, float]
    score: float
    hidden: tuple[int, int] | None = None
    chars: tuple[float, ...] = ()

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


# Fastest first, as measured on our dev set (docs/shots.md): OpenVINO read the same pictures
# with the same text in about half the time of onnxruntime on 2-core Xeons.
BACKENDS = ("openvino", "onnxruntime")
_PACKAGES = {"openvino": "rapidocr_openvino", "onnxruntime": "rapidocr_onnxruntime"}
# The text of the built-in picture ``ocr_check.png``.
CHECK_TEXT = "户籍性质为空2026"


class EngineUnavailable(Exception):
    """No usable OCR engine; the message says which and why, in Chinese."""


def installed_backends() -> list[str]:
    """The RapidOCR builds installed here, fastest first (nothing is loaded)."""
    return [name for name in BACKENDS if find_spec(_PACKAGES[name]) is not None]


def _rapidocr_version(backend: str = "onnxruntime") -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_PACKAGES[backend].replace("_", "-"))
    except PackageNotFoundError:  # pragma: no cover - only when run from a source tree copy
        return "unknown"


def check_picture() -> Image.Image:
    """The tiny built-in picture of :data:`CHECK_TEXT` used by :func:`self_check`."""
    from io import BytesIO

    from PIL import Image

    data = resources.files("interceptor").joinpath("ocr_check.png").read_bytes()
    return Image.open(BytesIO(data)).convert("RGB")


def self_check(engine: OcrEngine) -> bool:
    """Whether ``engine`` reads the built-in picture right (a broken runtime or model reads
    nothing, or nonsense)."""
    try:
        text = "".join(ln.text for ln in engine.recognize(check_picture()))
    except Exception:
        return False
    return CHECK_TEXT in "".join(text.split())


_PICKED: dict[str | None, str] = {}


def pick_backend(requested: str | None = None) -> str:
    """The backend to use: ``requested`` if it is installed and passes :func:`self_check`, else
    (when None) the fastest installed one that passes. Decided once per process."""
    if requested in _PICKED:
        return _PICKED[requested]
    if requested is not None and requested not in BACKENDS:
        raise EngineUnavailable(f"未知的识别引擎 {requested!r}：可选 {'、'.join(BACKENDS)}。")
    candidates = [requested] if requested is not None else installed_backends()
    failed = []
    for name in candidates:
        if name not in installed_backends():
            failed.append(f"{name} 未安装（pip install {_PACKAGES[name].replace('_', '-')}）")
            continue
        try:
            ok = self_check(RapidOcrEngine(backend=name, threads=1))
        except Exception:
            ok = False
        if ok:
            _PICKED[requested] = name
            return name
        failed.append(f"{name} 自检未通过（读不出内置的测试图片）")
    if not failed:
        failed.append("openvino 和 onnxruntime 都未安装")
    raise EngineUnavailable("没有可用的文字识别引擎：" + "；".join(failed) + "。")


class RapidOcrEngine:
    """RapidOCR with the settings described in the module docstring.

    ``full=True`` gives RapidOCR's stock pipeline (whole image, angle classifier, default
    sizes), used as the baseline in the benchmark. ``backend`` is ``onnxruntime`` or
    ``openvino`` (same models, same pre- and post-processing).
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
        backend: str = "onnxruntime",
    ) -> None:
        if backend not in BACKENDS:
            raise EngineUnavailable(f"未知的识别引擎 {backend!r}：可选 {'、'.join(BACKENDS)}。")
        if backend == "openvino":
            from rapidocr_openvino import RapidOCR  # type: ignore[import-untyped,import-not-found,unused-ignore]
        else:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped,unused-ignore]

        self.full = full
        self.backend = backend
        self.det_max_side = det_max_side
        self.rec_height = rec_height
        self.min_text_height = min_text_height
        self.text_score = text_score
        self.stretch = stretch
        params: dict[str, Any] = {}
        if threads:
            # Several worker processes each using every core only fight over the cores.
            # (RapidOCR copies the global thread setting into each stage.)
            key = "inference_num_threads" if backend == "openvino" else "intra_op_num_threads"
            params[key] = threads
        if not full:
            # "max" with a side this long never resizes: _fast shrinks pictures itself.
            params.update({"det_limit_type": "max", "det_limit_side_len": 4096})
        self._ocr: Any = RapidOCR(**params)
        self._classes: dict[str, int] | None = None
        if not full:
            self._ocr.text_rec.rec_image_shape = [3, rec_height, 320]
            self._ocr.text_det.get_preprocess = _with_fast_normalize(self._ocr.text_det.get_preprocess)
        self.name = self.describe(
            det_max_side=det_max_side,
            rec_height=rec_height,
            min_text_height=min_text_height,
            stretch=stretch,
            full=full,
            backend=backend,
        )

    @staticmethod
    def describe(
        *,
        det_max_side: int = 1280,
        rec_height: int = 48,
        min_text_height: float = 6.0,
        stretch: bool = True,
        full: bool = False,
        backend: str = "onnxruntime",
    ) -> str:
        """The engine name for these settings, without loading any model."""
        version = _rapidocr_version(backend)
        prefix = "rapidocr" if backend == "onnxruntime" else f"rapidocr-{backend}"
        if full:
            return f"{prefix}-{version}-full"
        return (
            f"{prefix}-{version}-det{det_max_side}-rec{rec_height}-min{min_text_height:g}"
            f"{'-stretch' if stretch else ''}"
        )

    def recognize(self, image: Image.Image, *, det_max_side: int | None = None) -> list[OcrLine]:
        """Every text line of ``image``; ``det_max_side`` overrides the detector's size for one
        call (the second, closer look of :mod:`interceptor.shots`)."""
        bgr = _bgr(image)
        if self.full:
            return self._full(bgr)
        return self._fast(bgr, det_max_side or self.det_max_side)

    def recognize_frames(
        self,
        image: Image.Image,
        *,
        det_max_side: int | None = None,
        wanted: Callable[[str], bool] | None = None,
    ) -> list[tuple[OcrLine, Any]]:
        """Like :meth:`recognize`, with each line's frame log-probabilities (frames × classes,
        class 0 the CTC blank; see :attr:`classes`), for :mod:`interceptor.spotting`; None for
        lines whose text ``wanted`` turns down (the frames cost a second recognition)."""
        bgr = _bgr(image)
        found: list[tuple[OcrLine, Any]] = []
        self._fast(bgr, det_max_side or self.det_max_side, frames=found, wanted=wanted)
        return found

    @property
    def classes(self) -> dict[str, int]:
        """Character → class index of the recogniser's output."""
        if self._classes is None:
            characters = self._ocr.text_rec.postprocess_op.character
            self._classes = {c: i for i, c in enumerate(characters) if i > 0}
        return self._classes

    def _frames(self, crop: Any) -> Any:
        """Log-probabilities per frame of one line crop (the recogniser run on it alone)."""
        import numpy as np

        rec = self._ocr.text_rec
        height, width = crop.shape[:2]
        ratio = max(rec.rec_image_shape[2] / rec.rec_image_shape[1], width / max(1, height))
        batch = rec.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)
        return np.log(np.maximum(self._probabilities(batch)[0], 1e-30))

    def _probabilities(self, batch: Any) -> Any:
        """The recogniser's output for ``batch``: lines × frames × classes."""
        import numpy as np

        out = self._ocr.text_rec.session(batch)
        if isinstance(out, list):
            out = out[0]  # onnxruntime hands back every output of the model
        # OpenVINO hands back a view of its own output buffer, reused by the next call.
        return np.array(out, dtype=np.float32, copy=True)

    def _recognize(self, crops: list[Any]) -> list[Any]:
        """RapidOCR's recognition of each crop: (text, score, word boxes).

        Each line is recognised on its own, its input width rounded up to
        :data:`WIDTH_STEP`. RapidOCR's batches of six pad every line to the widest of its
        batch, so a line's reading depended on its neighbours, and nearly every batch had a
        shape of its own, for which the runtime prepares its kernels anew (about 30 ms each
        with OpenVINO, more than recognising a line). The measured gain is in the README
        ("How a picture is read").
        """
        import numpy as np

        rec = self._ocr.text_rec
        height, base = rec.rec_image_shape[1], rec.rec_image_shape[2]
        results = []
        for crop in crops:
            ratio = crop.shape[1] / max(1, crop.shape[0])
            width = math.ceil(height * max(base / height, ratio) / WIDTH_STEP) * WIDTH_STEP
            # +0.5: resize_norm_img truncates height × ratio back to whole pixels.
            padded = (width + 0.5) / height
            batch = rec.resize_norm_img(crop, padded)[np.newaxis].astype(np.float32)
            decoded = rec.postprocess_op(self._probabilities(batch), True, wh_ratio_list=[ratio], max_wh_ratio=padded)
            results.append(decoded[0])
        return results

    def _full(self, bgr: Any) -> list[OcrLine]:
        result, _ = self._ocr(bgr)
        return [_line(box, text, score) for box, text, score in result or []]

    def _fast(
        self,
        bgr: Any,
        det_max_side: int,
        frames: list[tuple[OcrLine, Any]] | None = None,
        wanted: Callable[[str], bool] | None = None,
    ) -> list[OcrLine]:
        import cv2
        import numpy as np

        ocr = self._ocr
        # RapidOCR's own resizing never shrinks below 1500/2000 px, so shrink here; boxes
        # are scaled back and the crops for recognition come from the full-size picture.
        height, width = bgr.shape[:2]
        scale = min(1.0, det_max_side / max(height, width))
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
        # Each result also holds every character's own confidence (RapidOCR's word boxes).
        results = self._recognize(crops)
        lines = []
        for quad, crop, (text, score, *rest) in zip(kept, crops, results, strict=True):
            if float(score) >= self.text_score and text.strip():
                chars = _char_scores(text, rest)
                lines.append(_line(quad, text, score, chars))
                if frames is not None:
                    keep = wanted is None or wanted(text)
                    frames.append((lines[-1], self._frames(crop) if keep else None))
        return lines


def _bgr(image: Image.Image) -> Any:
    """The picture as the BGR array RapidOCR expects."""
    import cv2
    import numpy as np

    return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)


def _with_fast_normalize(get_preprocess: Callable[[int], Any]) -> Callable[[int], Any]:
    """RapidOCR's detector preprocessing with :func:`_det_normalize` in place of its own."""

    def preprocess(max_side: int) -> Any:
        op = get_preprocess(max_side)
        op.normalize = functools.partial(_det_normalize, op)
        return op

    return preprocess


def _det_normalize(op: Any, img: Any) -> Any:
    """The detector's input normalisation, in float32 and in place.

    RapidOCR's own subtracts float64 arrays and so works in float64, which took a twentieth
    of all the time on a folder of pictures. With its mean and spread of 0.5 both round the
    same exact values once, so the result is the same to the bit (tests/test_ocr.py checks).
    """
    import numpy as np

    out = img.astype(np.float32)
    out *= np.float32(op.scale)
    out -= np.asarray(op.mean, dtype=np.float32)
    out /= np.asarray(op.std, dtype=np.float32)
    return out


def _char_scores(text: str, rest: list[Any]) -> tuple[float, ...]:
    """Per-character confidences from RapidOCR's word-box output, or () when they do not line
    up with the text."""
    try:
        scores = tuple(float(v) for v in rest[0][4])
    except (IndexError, TypeError, ValueError):
        return ()
    return scores if len(scores) == len(text) else ()


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


def _line(quad: Any, text: str, score: Any, chars: tuple[float, ...] = ()) -> OcrLine:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return OcrLine(text=str(text), box=(min(xs), min(ys), max(xs), max(ys)), score=float(score), chars=chars)


def default_threads(workers: int) -> int:
    """onnxruntime threads per worker so that all workers together use each core once."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))
