"""Screenshots per second: our ``shots`` pipeline against the plain approach, same images, one run.

Plain approach: RapidOCR's stock pipeline on the whole image (detection, angle classifier,
recognition with default settings), then a substring search for the seven seed messages.
Ours: :func:`interceptor.shots.read_image` (the dialog over a dimmed page first, the whole
picture only when needed) with :class:`interceptor.ocr.RapidOcrEngine` at its default
settings, then :func:`interceptor.shots.result_from_reading` (the one RuleSet).

Both run in this process with the same onnxruntime thread count, one image at a time, and
alternate which goes first on each image, so load from other processes hits both alike.
Wall-clock and CPU time (all threads of this process) are both reported: on a shared
machine the CPU figure is the steadier one.

Accuracy: an image counts as right when the set of rules found equals the expected set
in ``fixtures/shots/expected.json``; for our pipeline the strict figure also requires the
reading order of ``rules`` and the captures.

Plain runs on ``--plain-engine`` (default onnxruntime: what ``RapidOCR()`` is for most users),
ours on ``--engine`` (default: what ``interceptor shots`` picks, see ``pick_backend``).

    python benchmarks/shots_throughput.py [--engine E] [--plain-engine E] [--threads N] [--limit N] [FOLDER]

FOLDER holds ``expected.json`` (``fixtures/shots`` or ``fixtures/shots/heldout``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))

from interceptor import load_rules  # noqa: E402
from interceptor.ocr import BACKENDS, RapidOcrEngine, pick_backend  # noqa: E402
from interceptor.shots import load_image, read_image, result_from_reading  # noqa: E402

T = TypeVar("T")

# The seven messages of the seed document, as a plain search would look for them.
SEED_MESSAGES = {
    "flexible-employment-insured": "该人员为灵活就业参保人员",
    "no-eligible-insured-status": "没有符合该人员的参保身份",
    "household-type-missing": "户籍性质为空",
    "person-already-collected": "人员信息已采集，人员编号为",
    "unemployment-benefit-overlap": "自参保开始日期下一月起，存在失业金发放信息",
    "person-info-not-found": "未获取到人员基本信息",
    "hr-service-fields-not-allowed": "只有人力资源服务单位才能输入人力资源服务信息",
}


def timed(run: Callable[[Image.Image], T], image: Image.Image) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = run(image)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", nargs="?", default=str(REPO / "fixtures" / "shots"))
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime threads for both (default 2)")
    parser.add_argument("--limit", type=int, help="only the first N images")
    parser.add_argument("--verbose", action="store_true", help="one line per image")
    parser.add_argument("--engine", choices=BACKENDS, help="our engine (default: as interceptor shots)")
    parser.add_argument("--plain-engine", choices=BACKENDS, default="onnxruntime", help="the plain approach's")
    args = parser.parse_args(argv)

    folder = Path(args.folder)
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    names = sorted(expected)[: args.limit]
    rules = load_rules()
    plain = RapidOcrEngine(full=True, threads=args.threads, backend=args.plain_engine)
    ours = RapidOcrEngine(threads=args.threads, backend=pick_backend(args.engine))
    # Warm both up (first inference allocates), outside the timing.
    warm = load_image((folder / names[0]).read_bytes())
    plain.recognize(warm)
    read_image(warm, ours, rules)

    totals = {"plain": [0.0, 0.0, 0, 0], "ours": [0.0, 0.0, 0, 0]}  # wall, cpu, right, strict
    for n, name in enumerate(names):
        image = load_image((folder / name).read_bytes())
        want = expected[name]
        order = ["plain", "ours"] if n % 2 == 0 else ["ours", "plain"]
        marks = []
        for label in order:
            if label == "plain":
                lines, wall, cpu = timed(plain.recognize, image)
                text = "".join(ln.text for ln in lines)
                found = [rule for rule, message in SEED_MESSAGES.items() if message in text]
                right = strict = set(found) == set(want["rules"])
            else:
                reading, wall, cpu = timed(lambda img: read_image(img, ours, rules), image)
                row = result_from_reading(name, reading, rules)
                assert row is not None
                found = row.rules
                right = set(found) == set(want["rules"])
                strict = row.rules == want["rules"] and row.captures == want["captures"]
            t = totals[label]
            t[0] += wall
            t[1] += cpu
            t[2] += int(right)
            t[3] += int(strict)
            marks.append(f"{label} {wall:5.2f}s {'ok' if strict else 'MISS ' + str(found)}")
        if args.verbose:
            print(f"{name:50} " + " | ".join(marks), flush=True)

    count = len(names)
    print(f"{count} images from {folder}, threads={args.threads}, plain={plain.name}, ours={ours.name}")
    print(f"{'':8} {'images/s (wall)':>16} {'images/s (CPU)':>15} {'accuracy':>10} {'strict':>8}")
    for label in ("plain", "ours"):
        wall, cpu, right, strict = totals[label]
        print(
            f"{label:8} {count / wall:16.2f} {count / cpu:15.2f} {right / count:10.1%} {strict / count:8.1%}"
        )
    speed_wall = totals["plain"][0] / totals["ours"][0]
    speed_cpu = totals["plain"][1] / totals["ours"][1]
    print(f"speed-up: {speed_wall:.2f}x wall-clock, {speed_cpu:.2f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
