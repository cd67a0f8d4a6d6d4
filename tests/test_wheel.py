"""The wheel as a clerk installs it: built from this checkout, installed into a fresh venv outside
the repository, and run from another folder (--version, doctor, rules check, the demo hall).

The fresh venv sees the repository venv's site-packages for the dependencies only (a .pth
file, added after the wheel is installed), never the repository's source; the test checks
that ``interceptor`` is imported from the fresh venv and that ``/web/`` is served from the
copy inside the wheel.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO_STATIC = REPO / "interceptor" / "demo" / "static"
MAX_WHEEL_BYTES = 3_000_000


def project_version() -> str:
    return str(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def demo_web_urls() -> set[str]:
    """Every ``/web/…`` file the demo hall's pages load, found independently of the build hook."""
    urls: set[str] = set()
    for page in DEMO_STATIC.rglob("*"):
        if page.suffix in (".html", ".js") and page.is_file():
            urls.update(re.findall(r"""["']/web/([^"'?#]+)["']""", page.read_text(encoding="utf-8")))
    assert urls, "the demo pages load nothing from /web/?"
    return urls


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (REPO / "fixtures" / "web" / "node_modules").is_dir():
        pytest.fail("fixtures/web/node_modules is missing: run `make web` (npm ci) first.")
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)]
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(4, "--no-build-isolation")  # the pinned hatchling of the dev extra; works offline
    subprocess.run(command, check=True, cwd=out, timeout=300)
    (built,) = out.glob("interceptor-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv (outside the repository) with the wheel installed; yields its bin folder."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet",
         str(wheel)],
        check=True, timeout=300,
    )
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip())
    # After the install, so pip did not see the repository's (editable) interceptor there.
    (site / "zz-repo-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    yield bindir


def run_installed(bindir: Path, cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "INTERCEPTOR_WEB_MODULES", "VIRTUAL_ENV")}
    env["XDG_DATA_HOME"] = str(cwd / "data")
    env["PATH"] = str(bindir) + os.pathsep + env.get("PATH", "")
    return subprocess.run([str(bindir / "interceptor"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_wheel_carries_rules_watcher_templates_and_the_demo_halls_front_end(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("interceptor/_bundled_rules/errors.yaml", "interceptor/_bundled_rules/questions.yaml",
                     "interceptor/watcher/watcher.js", "interceptor/watcher/overlay.js",
                     "interceptor/templates/shots.html.j2", "interceptor/demo/templates/summary.html.j2",
                     "interceptor/demo/static/index.html", "interceptor/demo/web/MANIFEST.json"):
        assert required in names
    for url in demo_web_urls():
        assert f"interceptor/demo/web/{url}" in names, f"the wheel lacks /web/{url}"
        package = url.split("/")[0]
        assert any(re.fullmatch(rf"interceptor/demo/web/{re.escape(package)}/LICEN[CS]E(\.\w+)?", n) for n in names), \
            f"{package} is shipped without its LICENSE"
    web = [n for n in names if n.startswith("interceptor/demo/web/")]
    assert not [n for n in web if n.endswith((".map", ".ts", ".less", "package.json"))]
    assert not [n for n in names if "node_modules" in n or n.startswith(("fixtures/", "tests/"))]
    assert wheel.stat().st_size < MAX_WHEEL_BYTES, f"the wheel grew to {wheel.stat().st_size} bytes"


def test_installed_wheel_runs_from_another_folder_without_the_checkout(
    installed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    version = run_installed(installed, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"interceptor {project_version()}"

    where = subprocess.run(
        [str(installed / "python"), "-c",
         "import interceptor, interceptor.server as s; print(interceptor.__file__); print(s.web_modules_dir())"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    venv = installed.parent.resolve()
    assert Path(where[0]).resolve().is_relative_to(venv), where
    assert not Path(where[0]).resolve().is_relative_to(REPO)
    assert Path(where[1]).resolve().is_relative_to(venv) and where[1].endswith("interceptor/demo/web"), where

    rules = run_installed(installed, tmp_path, "rules", "check")
    assert rules.returncode == 0 and rules.stdout.startswith("检查通过："), rules.stdout + rules.stderr

    doctor = run_installed(installed, tmp_path, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "✔ 演示大厅：前端文件随安装包自带" in doctor.stdout
    assert f"✔ 版本：interceptor {project_version()}" in doctor.stdout

    demo = run_installed(installed, tmp_path, "demo", "--out", str(tmp_path / "demo"), timeout=240)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "七种报错拦截到 7/7" in demo.stdout
    with capsys.disabled():
        print(f"\n[installed wheel: --version, doctor, rules check, demo in {time.monotonic() - started:.0f} s]")
