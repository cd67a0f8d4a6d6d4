"""OCR engines: both RapidOCR builds load offline, pass the self-check and read the same text;
the default is the fastest one that works."""

from __future__ import annotations

from pathlib import Path

import pytest

from interceptor import ocr
from interceptor.ocr import (
    BACKENDS,
    CHECK_TEXT,
    EngineUnavailable,
    OcrLine,
    RapidOcrEngine,
    check_picture,
    installed_backends,
    pick_backend,
    self_check,
)
from interceptor.shots import load_image

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "fixtures" / "shots" / "images"


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> RapidOcrEngine:
    return RapidOcrEngine(backend=request.param, threads=1)


def test_both_engines_are_installed_with_their_models() -> None:
    assert installed_backends() == ["openvino", "onnxruntime"]


def test_engine_passes_the_self_check_and_gives_character_confidences(engine: RapidOcrEngine) -> None:
    assert self_check(engine)
    lines = engine.recognize(check_picture())
    assert "".join(lines[0].text.split()) == CHECK_TEXT
    assert len(lines[0].chars) == len(lines[0].text)
    assert all(0.5 < c <= 1.0 for c in lines[0].chars)


def test_engine_that_reads_nonsense_fails_the_self_check() -> None:
    class Wrong:
        name = "wrong"

        def recognize(self, image: object) -> list[OcrLine]:
            return [OcrLine("户籍性质为", (0, 0, 10, 10), 0.9)]

    class Broken:
        name = "broken"

        def recognize(self, image: object) -> list[OcrLine]:
            raise RuntimeError("model file damaged")

    assert not self_check(Wrong())  # type: ignore[arg-type]
    assert not self_check(Broken())  # type: ignore[arg-type]


def test_default_engine_is_the_fastest_one_that_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_PICKED", {})
    assert pick_backend() == "openvino"
    assert pick_backend("onnxruntime") == "onnxruntime"
    # OpenVINO broken on this machine: the other one is chosen, not a crash.
    monkeypatch.setattr(ocr, "_PICKED", {})
    real = ocr.self_check
    monkeypatch.setattr(ocr, "self_check", lambda e: getattr(e, "backend", "") != "openvino" and real(e))
    assert pick_backend() == "onnxruntime"
    with pytest.raises(EngineUnavailable, match="openvino 自检未通过"):
        pick_backend("openvino")


def test_unknown_or_missing_engine_is_said_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_PICKED", {})
    with pytest.raises(EngineUnavailable, match="未知的识别引擎"):
        pick_backend("tesseract")
    monkeypatch.setattr(ocr, "installed_backends", lambda: [])
    with pytest.raises(EngineUnavailable, match="没有可用的文字识别引擎"):
        pick_backend()


def test_engine_names_differ_so_caches_stay_apart() -> None:
    assert RapidOcrEngine.describe(backend="openvino") != RapidOcrEngine.describe(backend="onnxruntime")


@pytest.mark.parametrize("name", ["girder-household-s1.png", "layui-hr-fields-s1.png"])
def test_both_engines_read_the_same_text(name: str) -> None:
    image = load_image((IMAGES / name).read_bytes())
    texts = [
        sorted(ln.text for ln in RapidOcrEngine(backend=b, threads=1).recognize(image)) for b in BACKENDS
    ]
    assert texts[0] == texts[1]


def test_detector_input_is_rapidocrs_own_to_the_bit(engine: RapidOcrEngine) -> None:
    """The float32 normalisation (_det_normalize) is there for speed only."""
    import numpy as np

    picture = ocr._bgr(load_image((IMAGES / "girder-household-s1.png").read_bytes()))
    noise = np.random.default_rng(0).integers(0, 256, (96, 160, 3), dtype=np.uint8)
    for bgr in (picture, noise):
        ours = engine._ocr.text_det.get_preprocess(max(bgr.shape[:2]))
        stock = type(ours)(ours.limit_side_len, ours.limit_type, ours.mean, ours.std)
        mine, theirs = ours(bgr), stock(bgr)
        assert mine.dtype == theirs.dtype == np.float32
        assert np.array_equal(mine, theirs)
    assert np.array_equal(picture, np.asarray(load_image((IMAGES / "girder-household-s1.png").read_bytes()))[:, :, ::-1])


def test_each_line_is_read_alone_in_few_input_shapes(engine: RapidOcrEngine) -> None:
    """A line's reading does not depend on the lines read with it, and the recogniser's input
    widths are rounded up, so that a folder of pictures needs few shapes."""
    image = load_image((IMAGES / "layui-hr-fields-s1.png").read_bytes())
    bgr = ocr._bgr(image)
    crops = [
        bgr[int(ln.box[1]) : int(ln.box[3]) + 1, int(ln.box[0]) : int(ln.box[2]) + 1]
        for ln in engine.recognize(image)
    ]
    assert len(crops) >= 4
    rec = engine._ocr.text_rec
    shapes = []
    session = rec.session

    def recording(batch: object) -> object:
        shapes.append(batch.shape)  # type: ignore[attr-defined]
        return session(batch)

    rec.session = recording
    try:
        together = [r[:2] for r in engine._recognize(crops)]
        alone = [engine._recognize([crop])[0][:2] for crop in reversed(crops)][::-1]
    finally:
        rec.session = session
    assert together == alone
    assert any(text for text, _ in together)
    assert all(shape[0] == 1 and shape[3] % ocr.WIDTH_STEP == 0 for shape in shapes)


def test_both_engines_give_each_line_its_frames(engine: RapidOcrEngine) -> None:
    """Spotting needs frames × classes per line from either runtime (onnxruntime hands back a
    list of outputs, OpenVINO one array)."""
    import numpy as np

    [(line, logp)] = engine.recognize_frames(check_picture())
    assert logp.ndim == 2
    assert logp.shape[0] >= len(line.text)
    assert logp.shape[1] == len(engine.classes) + 1
    # Each frame is a distribution over the classes.
    assert np.allclose(np.exp(logp.astype(np.float64)).sum(axis=1), 1.0, atol=1e-3)
