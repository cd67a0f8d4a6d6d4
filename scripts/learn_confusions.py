"""Learn the OCR confusion table (``interceptor/ocr_confusions.json``) from the training split.

Every picture of ``fixtures/shots/images`` (never ``heldout/``) is read by the bundled engine as
it is and in two harsher copies (shrunk to 60 % and 45 %, JPEG quality 30), so the recogniser
shows its typical misreads. Each line read is aligned with the message the scene showed (the
``msg`` of :data:`make_shots.SCENES`); where one ideograph stands in for another, the pair
(read → meant) is counted. Pairs involving a meaning-bearing character are left out, as the
matcher would refuse them anyway.

    python scripts/learn_confusions.py [--engine openvino|onnxruntime]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO, REPO / "scripts"):
    if str(extra) not in sys.path:
        sys.path.append(str(extra))

from make_shots import SCENES, SHOTS  # noqa: E402

from interceptor.ocr import RapidOcrEngine, pick_backend  # noqa: E402
from interceptor.ocr_match import PROTECTED  # noqa: E402
from interceptor.shots import load_image  # noqa: E402

OUT = REPO / "interceptor" / "ocr_confusions.json"


def _ideograph(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def harsher(image: Image.Image, scale: float) -> Image.Image:
    small = image.resize((max(8, round(image.width * scale)), max(8, round(image.height * scale))))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=30)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def pairs_in(read: str, meant: str) -> list[tuple[str, str]]:
    out = []
    for op, a0, a1, b0, b1 in SequenceMatcher(None, read, meant, autojunk=False).get_opcodes():
        if op == "replace" and a1 - a0 == b1 - b0:
            for r, m in zip(read[a0:a1], meant[b0:b1], strict=True):
                if _ideograph(r) and _ideograph(m) and not ({r, m} & PROTECTED):
                    out.append((r, m))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("openvino", "onnxruntime"))
    args = parser.parse_args(argv)
    engine = RapidOcrEngine(backend=pick_backend(args.engine))
    expected = json.loads((SHOTS / "expected.json").read_text(encoding="utf-8"))
    scenes = sorted(SCENES, key=lambda s: -len(s.name))
    counts: Counter[tuple[str, str]] = Counter()
    for name in sorted(expected):
        stem = Path(name).stem
        scene = next((s for s in scenes if stem.startswith(s.name + "-")), None)
        if scene is None or not scene.params.get("msg"):
            continue
        references = [r for r in scene.params["msg"].split("\n") if r]
        image = load_image((SHOTS / name).read_bytes())
        for copy in (image, harsher(image, 0.6), harsher(image, 0.45)):
            for line in engine.recognize(copy):
                best = max(references, key=lambda r: SequenceMatcher(None, line.text, r).ratio())
                if SequenceMatcher(None, line.text, best).ratio() >= 0.6:
                    counts.update(pairs_in(line.text, best))
        print(f"{name}: {sum(counts.values())} pairs so far", flush=True)
    table: dict[str, list[str]] = {}
    for (read, meant), _ in counts.most_common():
        table.setdefault(read, []).append(meant)
    OUT.write_text(
        json.dumps(
            {
                "made_by": "scripts/learn_confusions.py from fixtures/shots/images (training split)",
                "engine": engine.name,
                "pairs": dict(sorted(table.items())),
                "counts": {f"{r}>{m}": n for (r, m), n in sorted(counts.items())},
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(counts)} pairs written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
