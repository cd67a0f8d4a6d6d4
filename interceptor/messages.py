"""What counts as an error message: in a banner's words, and in a JSON API response.

Playwright-free: the companion (live pages) and replays use it on texts the watcher found
and on response bodies.
"""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 2000  # characters of a message kept

# For banners that are not styled as errors and for unknown texts: what an error says.
# Strong words mark an error even beside 成功 ("成功 3 条，失败 2 条"); weak ones only alone.
_STRONG_ERROR = re.compile(r"错误|失败|异常|出错|error|fail|exception", re.IGNORECASE)
_WEAK_ERROR = re.compile(
    r"不能|不可|不允许|无法|未能|未找到|不存在|为空|没有|不符|不正确|有误|超时|过期|繁忙|维护|权限|"
    r"重新登录|拒绝|非法|denied|invalid|unauthori[sz]ed|forbidden",
    re.IGNORECASE,
)
_SUCCESS_HINT = re.compile(r"成功|已保存|已提交|办结|完成|success", re.IGNORECASE)

_MESSAGE_KEYS = ("msg", "message", "resultMsg", "errMsg", "errmsg", "error_description", "error", "desc")
_OK_CODES = {"0", "200", "00000", "ok", "success"}


def looks_like_error(text: str) -> bool:
    """True when a text that no rule knows reads like an error rather than a notice."""
    if _STRONG_ERROR.search(text):
        return True
    return bool(_WEAK_ERROR.search(text)) and not _SUCCESS_HINT.search(text)


def looks_like_success(text: str) -> bool:
    return bool(_SUCCESS_HINT.search(text)) and not looks_like_error(text)


def api_error_text(status: int, data: Any) -> str | None:
    """The error message of a JSON API response, or None when it reports success.

    Shapes seen on the hall and its sister sites: ``{"appcode": "1", "msg": …}``,
    ``{"code": "-1", "msg": …}``, ``{"flag": false, "resultMsg": …}``, and HTTP 400 with
    ``{"message": …}`` or ``{"errors": [{"message": …}]}``.
    """
    if not isinstance(data, dict):
        return None
    message = ""
    for key in _MESSAGE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            message = value.strip()
            break
    if not message and isinstance(data.get("errors"), list):
        texts = [
            str(e.get("message") or e.get("msg") or "").strip() if isinstance(e, dict) else str(e).strip()
            for e in data["errors"]
        ]
        message = "；".join(t for t in texts if t)
    failed = status >= 400
    if "appcode" in data and str(data["appcode"]).strip() != "0":
        failed = True
    code = data.get("code")
    if code is not None and not isinstance(code, bool) and str(code).strip().lower() not in _OK_CODES:
        failed = True
    if data.get("flag") is False or data.get("success") is False:
        failed = True
    return message[:MAX_TEXT] if failed and message else None
