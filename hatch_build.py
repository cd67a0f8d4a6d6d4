"""Build hook: put the demo hall's front-end files into the wheel and the sdist.

The demo hall's pages load a handful of real UI libraries from ``/web/<package>/…``. In a
checkout they come from ``fixtures/web/node_modules`` (``npm ci``); an installed wheel has no
checkout, so at build time this hook copies exactly the files the demo pages reference
(found by scanning ``interceptor/demo/static`` for ``/web/`` URLs, plus the fonts their
stylesheets point at), each package's licence files beside them and a ``MANIFEST.json``,
into ``interceptor/demo/web/`` of the built archive. Nothing is written into the checkout.

Where the files come from, in order:

1. ``fixtures/web/node_modules`` (a checkout after ``npm ci``): copied afresh;
2. ``interceptor/demo/web`` with its ``MANIFEST.json`` (an unpacked sdist, which carries the copy);
3. neither: the build stops with a message saying to run ``npm ci`` in ``fixtures/web``.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

STATIC = Path("interceptor/demo/static")
PACKAGED = "interceptor/demo/web"
NODE_MODULES = Path("fixtures/web/node_modules")
MANIFEST = "MANIFEST.json"

_WEB_URL = re.compile(r"""["'(]/web/([^"'()?#\s]+)""")
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+?)["']?\s*\)""")
# Chrome and Edge, the only browsers we drive, take woff2 (woff as a fallback); the .eot and
# .svg fonts in the same @font-face rules are for Internet Explorer and old Safari.
_FONT_SKIPPED = (".eot", ".svg", ".ttf")
_LICENCE = re.compile(r"^(licen[cs]e|copying|notice)(\.[a-z]+)?$", re.IGNORECASE)


class AssetError(Exception):
    """The demo hall's front-end files cannot be gathered."""


def referenced_files(static_dir: Path) -> list[str]:
    """``<package>/<path>`` of every ``/web/`` URL in the demo hall's pages and scripts."""
    found: set[str] = set()
    for page in sorted(static_dir.rglob("*")):
        if page.suffix in (".html", ".js", ".css") and page.is_file():
            found.update(_WEB_URL.findall(page.read_text(encoding="utf-8")))
    return sorted(found)


def _package_of(relative: str) -> str:
    parts = relative.split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


def _css_dependencies(modules: Path, relative: str) -> list[str]:
    """Fonts and pictures a stylesheet loads, as ``<package>/<path>`` (data: URLs skipped)."""
    css = (modules / relative).read_text(encoding="utf-8", errors="replace")
    base = Path(relative).parent
    found: set[str] = set()
    for url in _CSS_URL.findall(css):
        if url.startswith(("data:", "http:", "https:", "//", "#")):
            continue
        path = url.split("?")[0].split("#")[0]
        if path.lower().endswith(_FONT_SKIPPED):
            continue
        target = (base / path).as_posix()
        parts: list[str] = []
        for part in target.split("/"):
            if part == "..":
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        found.add("/".join(parts))
    return sorted(found)


def gather(modules: Path, static_dir: Path, out: Path) -> dict[str, Any]:
    """Copy what the demo hall loads from ``modules`` into ``out``; return the manifest."""
    wanted = referenced_files(static_dir)
    if not wanted:
        raise AssetError(f"No /web/ URL was found in {static_dir}.")
    files = list(wanted)
    for relative in wanted:
        if relative.endswith(".css") and (modules / relative).is_file():
            files += _css_dependencies(modules, relative)
    missing = [f for f in files if not (modules / f).is_file()]
    if missing:
        raise AssetError(
            f"{modules} lacks files the demo hall loads: {', '.join(missing)}. "
            "Run `npm ci` in fixtures/web (or `make web`) and build again."
        )
    packages: dict[str, dict[str, Any]] = {}
    for relative in sorted(set(files)):
        _copy(modules / relative, out / relative)
        name = _package_of(relative)
        entry = packages.setdefault(name, {"files": []})
        entry["files"].append(relative[len(name) + 1 :])
        licence_beside = modules / (relative + ".LICENSE.txt")  # webpack's extracted banners
        if licence_beside.is_file():
            _copy(licence_beside, out / (relative + ".LICENSE.txt"))
            entry["files"].append(relative[len(name) + 1 :] + ".LICENSE.txt")
    for name, entry in packages.items():
        meta = json.loads((modules / name / "package.json").read_text(encoding="utf-8"))
        entry["version"] = meta.get("version")
        entry["license"] = meta.get("license")
        licences = [p for p in sorted((modules / name).iterdir()) if p.is_file() and _LICENCE.match(p.name)]
        if not licences:
            raise AssetError(f"{modules / name} has no LICENSE file; it may not be shipped without one.")
        for licence in licences:
            _copy(licence, out / name / licence.name)
            entry["files"].append(licence.name)
    manifest = {"source": "fixtures/web/package-lock.json", "packages": packages}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


class WebAssetsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "editable":
            return  # an editable install serves /web/ from the checkout's node_modules
        root = Path(self.root)
        modules = root / NODE_MODULES
        carried = root / PACKAGED
        if modules.is_dir():
            self._scratch = tempfile.TemporaryDirectory(prefix="interceptor-web-")
            out = Path(self._scratch.name) / "web"
            try:
                gather(modules, root / STATIC, out)
            except AssetError as exc:
                raise RuntimeError(str(exc)) from None
            build_data["force_include"][str(out)] = PACKAGED
        elif (carried / MANIFEST).is_file():
            build_data["force_include"][str(carried)] = PACKAGED
        else:
            raise RuntimeError(
                "The demo hall's front-end files are missing: neither fixtures/web/node_modules nor "
                f"{PACKAGED}/{MANIFEST} exists. Run `npm ci` in fixtures/web (or `make web`) and build again; "
                "an sdist built that way carries the files."
            )

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            scratch.cleanup()
