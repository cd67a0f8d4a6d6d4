"""Generate the screenshot development set under ``fixtures/shots/``.

Fixture pages under ``fixtures/shots/pages/`` are built with the real UI libraries (served
from ``fixtures/web/node_modules`` by :class:`interceptor.server.LocalServer`) and rendered by
headless Chromium at device scale 1 and 1.5. Each rendering is then turned into the kinds of
image that help desks really receive: chat-app JPEGs, downscaled copies, photos of a screen
(rotated, blurred, dim, noisy) and crops around the banner. ``expected.json`` records what
each image must yield.

Run from the repository root:  ``python scripts/make_shots.py``  (needs ``npm ci`` in
``fixtures/web`` and a Chromium). The output is deterministic up to Chromium's rendering.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from PIL import Image, ImageEnhance, ImageFilter

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))

from interceptor.browser import launch_options  # noqa: E402
from interceptor.server import LocalServer  # noqa: E402

SHOTS = REPO / "fixtures" / "shots"
PAGES = SHOTS / "pages"
IMAGES = SHOTS / "images"

# Selectors of the banner or dialog on each page, for the crop variant.
BANNER = ".modal-dialog, .layui-layer-dialog, .el-message-box, .el-message, .van-toast"


@dataclass
class Scene:
    """One rendered page state and the variants made from it."""

    name: str
    page: str
    params: dict[str, str]
    rules: list[str]
    variants: list[str]
    captures: dict[str, str] = field(default_factory=dict)
    viewport: tuple[int, int] = (1366, 768)


PERSON_NO = "3200017654"

SCENES: list[Scene] = [
    # Positives: one or more scenes for every rule, in the banner kinds the hall and its
    # sister sites use.
    Scene(
        "girder-flexible",
        "girder.html",
        {"msg": "王晓明（320502199103154512）：该人员为灵活就业参保人员，不能办理用工参保登记。"},
        ["flexible-employment-insured"],
        ["s1", "chat", "photo"],
    ),
    Scene(
        "girder-no-status",
        "girder.html",
        {"msg": "保存失败：没有符合该人员的参保身份，请核实。"},
        ["no-eligible-insured-status"],
        ["s15", "down", "crop"],
    ),
    Scene(
        "girder-household",
        "girder.html",
        {"msg": "户籍性质为空。"},
        ["household-type-missing"],
        ["s1", "photo", "chat"],
    ),
    Scene(
        "girder-collected",
        "girder.html",
        {"msg": f"人员信息已采集，人员编号为{PERSON_NO}"},
        ["person-already-collected"],
        ["s15", "chat", "crop", "photo"],
        {"person_no": PERSON_NO},
    ),
    Scene(
        "girder-overlap-wrapped",
        "girder.html",
        {"msg": "补缴申报失败：自参保开始日期下一月起，存在失业金发放信息。", "size": "sm"},
        ["unemployment-benefit-overlap"],
        ["s1", "photo"],
    ),
    Scene(
        "layui-overlap",
        "hall.html",
        {"msg": "自参保开始日期下一月起，存在失业金发放信息", "icon": "2"},
        ["unemployment-benefit-overlap"],
        ["s1", "chat", "photo"],
    ),
    Scene(
        "element-not-found",
        "element.html",
        {"msg": "未获取到人员基本信息！"},
        ["person-info-not-found"],
        ["s1", "down", "photo"],
    ),
    Scene(
        "layui-hr-fields",
        "hall.html",
        {"msg": "第3行：只有人力资源服务单位才能输入人力资源服务信息", "kind": "alert", "icon": "2"},
        ["hr-service-fields-not-allowed"],
        ["s1", "chat", "crop"],
    ),
    Scene(
        "vant-not-found",
        "vant.html",
        {"msg": "未获取到人员基本信息"},
        ["person-info-not-found"],
        ["m2", "chat"],
        viewport=(390, 760),
    ),
    Scene(
        "layui-two-errors",
        "hall.html",
        {
            "msg": "导入失败：\n第2行：未获取到人员基本信息；\n第5行：只有人力资源服务单位才能输入人力资源服务信息",
            "kind": "alert",
            "icon": "2",
        },
        ["person-info-not-found", "hr-service-fields-not-allowed"],
        ["s1", "chat"],
    ),
    Scene(
        "element-message-no-status",
        "element.html",
        {"msg": "保存失败：没有符合该人员的参保身份", "kind": "message"},
        ["no-eligible-insured-status"],
        ["chat", "s15"],
    ),
    Scene(
        "girder-flexible-scale15",
        "girder.html",
        {"msg": "该人员为灵活就业参保人员"},
        ["flexible-employment-insured"],
        ["s15", "down"],
    ),
    # Negatives: pages full of menu words, success toasts, information notices, unknown errors
    # and near misses shown in real error banners.
    Scene("hall-menu-only", "hall.html", {}, [], ["s1", "chat"]),
    Scene("girder-form-only", "girder.html", {}, [], ["s15", "photo"]),
    Scene(
        "layui-success",
        "hall.html",
        {"msg": f"人员信息采集成功，人员编号为{PERSON_NO}", "icon": "1"},
        [],
        ["s1", "chat"],
    ),
    Scene("element-success", "element.html", {"msg": "保存成功", "kind": "message", "icon": "1"}, [], ["s1"]),
    Scene(
        "girder-notice",
        "girder.html",
        {
            "msg": "当前时间办理人员停保，发送税务缴费截止时间为2026年11月30日，请及时缴费。",
            "title": "消息提示",
        },
        [],
        ["s1", "chat"],
    ),
    Scene("girder-unknown", "girder.html", {"msg": "系统正在维护，请稍后再试.."}, [], ["s1", "chat"]),
    Scene(
        "girder-negation",
        "girder.html",
        {"msg": "该人员不是灵活就业参保人员，请继续办理。", "title": "消息提示"},
        [],
        ["s1"],
    ),
    Scene(
        "layui-unit-not-found", "hall.html", {"msg": "未获取到单位基本信息", "icon": "2"}, [], ["s1", "photo"]
    ),
]


def render(
    scene: Scene, base_url: str, scale: float, browser: object
) -> tuple[Image.Image, tuple[int, ...] | None]:
    """Screenshot of the scene's page and the banner's box (in image pixels) if it has one."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(
        viewport={"width": scene.viewport[0], "height": scene.viewport[1]},
        device_scale_factor=scale,
        locale="zh-CN",
    )
    page = context.new_page()
    query = urlencode(scene.params)
    page.goto(f"{base_url}/{scene.page}?{query}")
    page.wait_for_selector("body[data-shot-ready]", timeout=15_000)
    page.wait_for_timeout(200)
    box = None
    banner = page.locator(BANNER).last
    if scene.params.get("msg") and banner.count():
        b = banner.bounding_box()
        if b:
            box = tuple(round(v * scale) for v in (b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]))
    png = page.screenshot()
    context.close()
    return Image.open(io.BytesIO(png)).convert("RGB"), box


def photo(img: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo of a monitor: slight rotation and keystone, blur, dim light, sensor noise."""
    import numpy as np

    w, h = img.size
    angle = rng.choice([-1, 1]) * rng.uniform(1.0, 3.0)
    out = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(40, 40, 44))
    ow, oh = out.size
    d = 0.02
    coeffs = _perspective_coeffs(
        [(ow * d, oh * d * 0.5), (ow * (1 - d * 0.4), 0), (ow, oh), (0, oh * (1 - d * 0.3))],
        [(0, 0), (ow, 0), (ow, oh), (0, oh)],
    )
    out = out.transform(
        (ow, oh), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=(40, 40, 44)
    )
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.0)))
    out = ImageEnhance.Brightness(out).enhance(rng.uniform(0.68, 0.8))
    out = ImageEnhance.Contrast(out).enhance(0.85)
    arr = np.asarray(out).astype(np.float32)
    arr += np.random.default_rng(rng.randrange(1 << 30)).normal(0, 6.0, arr.shape)
    out = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    scale = min(1.0, 1600 / max(w, h))
    if scale < 1.0:
        out = out.resize((round(ow * scale), round(oh * scale)), Image.Resampling.LANCZOS)
    return out


def _perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=np.float64)
    b = np.array([c for p in src for c in p], dtype=np.float64)
    return [float(c) for c in np.linalg.solve(a, b)]


def save_jpeg(img: Image.Image, path: Path, quality: int) -> None:
    img.save(path, "JPEG", quality=quality, optimize=True)


def save_png(img: Image.Image, path: Path) -> None:
    # A 256-colour palette keeps screenshots small; text edges stay as a browser drew them.
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, "PNG", optimize=True
    )


def make(
    scene: Scene,
    variant: str,
    shots: dict[float, tuple[Image.Image, tuple[int, ...] | None]],
    rng: random.Random,
) -> tuple[str, Image.Image, str]:
    """(file name, image, format) of one variant."""
    base = f"{scene.name}-{variant}"
    if variant == "s1":
        return base + ".png", shots[1.0][0], "png"
    if variant == "s15":
        return base + ".jpg", shots[1.5][0], "jpg95"
    if variant == "m2":
        return base + ".png", shots[2.0][0], "png"
    if variant == "chat":
        img = shots[max(shots)][0]
        w, h = img.size
        target = min(1080, w)
        return base + ".jpg", img.resize((target, round(h * target / w)), Image.Resampling.BILINEAR), "jpg50"
    if variant == "down":
        img = shots[1.5][0] if 1.5 in shots else shots[1.0][0]
        w, h = img.size
        return base + ".jpg", img.resize((round(w * 0.5), round(h * 0.5)), Image.Resampling.LANCZOS), "jpg80"
    if variant == "photo":
        return base + ".jpg", photo(shots[1.5][0] if 1.5 in shots else shots[1.0][0], rng), "jpg80"
    if variant == "crop":
        img, box = shots[1.0]
        if box is None:
            raise SystemExit(f"{scene.name}: no banner to crop around.")
        x0, y0, x1, y1 = box
        m = 40
        return base + ".png", img.crop((max(0, x0 - m), max(0, y0 - m), x1 + m, y1 + m)), "png"
    raise SystemExit(f"Unknown variant {variant!r} in scene {scene.name}.")


def main() -> int:
    from playwright.sync_api import sync_playwright

    if IMAGES.exists():
        shutil.rmtree(IMAGES)
    IMAGES.mkdir(parents=True)
    expected: dict[str, dict[str, object]] = {}
    rng = random.Random(20261127)
    with LocalServer([PAGES]) as server, sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(headless=True))
        for scene in SCENES:
            mobile = "m2" in scene.variants
            scales = {2.0 if mobile else (1.0 if v in ("s1", "crop") else 1.5) for v in scene.variants}
            shots = {s: render(scene, server.url, s, browser) for s in sorted(scales)}
            for variant in scene.variants:
                name, img, fmt = make(scene, variant, shots, rng)
                path = IMAGES / name
                if fmt == "png":
                    save_png(img, path)
                else:
                    save_jpeg(img, path, int(fmt[3:]))
                expected[f"images/{name}"] = {
                    "rule": scene.rules[0] if scene.rules else None,
                    "rules": scene.rules,
                    "captures": scene.captures,
                }
                print(f"{name:45} {path.stat().st_size // 1024:5d} KB  {img.size[0]}x{img.size[1]}")
        browser.close()
    (SHOTS / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    total = sum(f.stat().st_size for f in IMAGES.iterdir())
    print(f"{len(expected)} images, {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
