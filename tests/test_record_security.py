"""A recording keeps no secrets: HAR without credentials, masked screenshots, private files."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from interceptor.record import clean_har, record_session, scrub_body, scrub_url
from interceptor.server import LocalServer, Response

PASSWORD = "Hunter2-pass"
TOKEN = "tok-5b1e0c"
IDCARD = "320211200002290035"
BOUNDARY = "----formb0undary"


def _entry(url: str, *, request_headers: list[dict[str, str]], post: dict[str, Any] | None = None,
           response_headers: list[dict[str, str]] | None = None, text: str = "{}", size: int | None = None,
           mime: str = "application/json") -> dict[str, Any]:
    request: dict[str, Any] = {"method": "POST" if post else "GET", "url": url, "headers": request_headers,
                               "cookies": [{"name": "JSESSIONID", "value": TOKEN}],
                               "queryString": [{"name": "token", "value": TOKEN}, {"name": "page", "value": "1"}]}
    if post is not None:
        request["postData"] = post
    return {
        "request": request,
        "response": {"status": 200, "headers": response_headers or [],
                     "cookies": [{"name": "JSESSIONID", "value": TOKEN, "httpOnly": True}],
                     "content": {"size": size if size is not None else len(text), "mimeType": mime, "text": text},
                     "redirectURL": ""},
    }


def _har(tmp_path: Path) -> Path:
    multipart = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"userName\"\r\n\r\n张三\r\n"
                 f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n{PASSWORD}\r\n"
                 f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
                 f"aac002\r\n{IDCARD}\r\n--{BOUNDARY}--\r\n")
    entries = [
        _entry(f"https://hall.example/login?token={TOKEN}&page=1",
               request_headers=[{"name": "Authorization", "value": f"Bearer {TOKEN}"},
                                {"name": "Cookie", "value": f"JSESSIONID={TOKEN}"},
                                {"name": "Proxy-Authorization", "value": f"Basic {TOKEN}"},
                                {"name": "X-Auth-Token", "value": TOKEN},
                                {"name": "Referer", "value": f"https://hall.example/?access_token={TOKEN}"},
                                {"name": "Accept", "value": "application/json"}],
               post={"mimeType": "application/x-www-form-urlencoded",
                     "text": f"userName=zs&password={PASSWORD}&yzm=1&captcha=8k3d&%E9%AA%8C%E8%AF%81%E7%A0%81=9q",
                     "params": [{"name": "password", "value": PASSWORD}, {"name": "userName", "value": "zs"}]},
               response_headers=[{"name": "Set-Cookie", "value": f"JSESSIONID={TOKEN}; HttpOnly"},
                                 {"name": "Content-Type", "value": "application/json"}],
               text=json.dumps({"appcode": "0", "map": {"token": TOKEN, "name": "张三"}})),
        _entry("https://hall.example/api/save", request_headers=[],
               post={"mimeType": "application/json;charset=UTF-8",
                     "text": json.dumps({"user": {"pwd": PASSWORD, "密码": PASSWORD, "clientSecret": TOKEN},
                                         "aac002": IDCARD})}),
        _entry("https://hall.example/api/upload", request_headers=[],
               post={"mimeType": f"multipart/form-data; boundary={BOUNDARY}", "text": multipart}),
        _entry("https://hall.example/big", request_headers=[], text=f'{{"x": "{IDCARD}"}}', size=50_000_000),
    ]
    har = tmp_path / "recording.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}), encoding="utf-8")
    return har


def test_clean_har_strips_cookies_credentials_and_secret_fields(tmp_path: Path) -> None:
    har = _har(tmp_path)
    clean_har(har)
    text = har.read_text(encoding="utf-8")
    for secret in (PASSWORD, TOKEN, "8k3d", "9q", IDCARD):
        assert secret not in text, secret
    data = json.loads(text)
    login, save, upload, big = data["log"]["entries"]
    assert login["request"]["cookies"] == [] and login["response"]["cookies"] == []
    headers = {h["name"]: h["value"] for h in login["request"]["headers"]}
    assert headers["Accept"] == "application/json"
    assert {headers[n] for n in ("Authorization", "Cookie", "Proxy-Authorization", "X-Auth-Token")} == {"***"}
    assert "page=1" in login["request"]["url"]
    assert "userName=zs" in login["request"]["postData"]["text"]
    assert json.loads(login["response"]["content"]["text"])["map"]["name"] == "张三"
    assert json.loads(save["request"]["postData"]["text"])["user"]["pwd"] == "***"
    assert 'name="userName"\r\n\r\n张三' in upload["request"]["postData"]["text"]
    assert "text" not in big["response"]["content"], "a body declared larger than the cap was kept"
    assert stat.S_IMODE(har.stat().st_mode) == 0o600


def test_scrub_url_and_body_keep_other_fields() -> None:
    assert scrub_url("https://x.example/a?b=1") == "https://x.example/a?b=1"
    assert "secret" not in scrub_url("https://x.example/a?client_secret=secret&b=1").split("?")[1].split("=")[1]
    assert scrub_body("a=1&b=2", "application/x-www-form-urlencoded") == "a=1&b=2"
    assert scrub_body("<xml/>", "text/xml") == "<xml/>"


# The secrets are put together by the script, so the page's own HTML (kept in the HAR) holds none.
PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<form><input id="user" value="zhangsan"><input type="password" id="pw"></form>
<p id="person">身份证号：{IDCARD}</p>
<img src="x.png" onerror="document.title='handler'">
<script>
  var pw = "{PASSWORD[:4]}" + "{PASSWORD[4:]}", token = "{TOKEN[:4]}" + "{TOKEN[4:]}";
  document.getElementById("pw").value = pw;
  fetch("/api/login?token=" + token, {{method: "POST", headers: {{"Authorization": "Bearer " + token,
    "Content-Type": "application/json"}}, body: JSON.stringify({{password: pw}})}})
  .then(function () {{
    var d = document.createElement("div"); d.setAttribute("role", "alert"); d.textContent = "户籍性质为空";
    document.body.appendChild(d);
  }});
</script></body></html>"""


def _routes(method: str, path: str, query: str, body: bytes) -> Response | None:
    if path == "/api/login":
        return Response(200, b'{"appcode": "0"}', headers={"Set-Cookie": f"SESSION={TOKEN}; Path=/"})
    if path == "/":
        return Response(200, PAGE.encode(), "text/html; charset=utf-8", headers={"Set-Cookie": f"SID={TOKEN}; Path=/"})
    return None


def test_a_recording_is_private_masked_and_free_of_secrets(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    with LocalServer([], routes=_routes) as server:
        recording = record_session(server.url + "/", out, headless=True, duration=4, echo=False)
    assert [e["rule"] for e in recording.events] == ["household-type-missing"]
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
        if path.suffix in (".har", ".json", ".html"):
            text = path.read_text(encoding="utf-8")
            for secret in (PASSWORD, TOKEN, IDCARD):
                assert secret not in text, (secret, path.name)
    snapshot = (out / recording.events[0]["snapshot"]).read_text(encoding="utf-8")
    assert "onerror" not in snapshot and "<script" not in snapshot and "户籍性质为空" in snapshot
    shot = Image.open(out / recording.events[0]["screenshot"]).convert("RGB")
    magenta = sum(count for count, color in shot.getcolors(1 << 24) or [] if color == (255, 0, 255))
    # Two inputs and the paragraph with the ID number are painted over.
    assert magenta > 1500, magenta


@pytest.mark.parametrize("url", ["https://x.example/?pwd=1&密码=2", "https://x.example/?captcha=1&token=2"])
def test_scrub_url_replaces_every_secret(url: str) -> None:
    scrubbed = scrub_url(url)
    assert "=1" not in scrubbed and "=2" not in scrubbed
