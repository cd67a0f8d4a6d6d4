"""Which pages the companion watches: an allow-list of origins.

In an assisted session the person browses wherever they like; only the hall's own pages
(and the demo hall) report errors and get cards. Frames outside the list, and frames whose
origin is opaque (sandboxed iframes, ``data:`` documents), are ignored whatever they send.

A pattern is ``scheme://host[:port]`` (exactly that origin; any port when none is given),
or a bare ``host`` / ``*.domain`` meaning http or https; ``*.domain`` matches every
subdomain of ``domain`` but not ``domain`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Frame

# Where an assisted session starts by default: the hall's home page.
DEFAULT_HALL_URL = "https://rs.jshrss.jiangsu.gov.cn/index/"
# The Jiangsu hall and its business systems all live under this domain.
HALL_ORIGINS: tuple[str, ...] = ("jshrss.jiangsu.gov.cn", "*.jshrss.jiangsu.gov.cn")
_WEB_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class _Pattern:
    schemes: tuple[str, ...]
    host: str
    wildcard: bool
    port: int | None

    def matches(self, scheme: str, host: str, port: int | None) -> bool:
        if scheme not in self.schemes:
            return False
        if self.port is not None and port != self.port:
            return False
        if self.wildcard:
            return host.endswith("." + self.host)
        return host == self.host


def _parse(pattern: str) -> _Pattern:
    text = pattern.strip().lower().rstrip("/")
    if not text:
        raise ValueError("空的来源")
    schemes: tuple[str, ...] = _WEB_SCHEMES
    if "://" in text:
        scheme, _, text = text.partition("://")
        schemes = (scheme,)
    host, port = text, None
    if text.startswith("["):  # [::1]:8000
        end = text.find("]")
        host, rest = text[: end + 1], text[end + 1 :]
        if rest.startswith(":"):
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, _, number = text.partition(":")
        port = int(number)
    wildcard = host.startswith("*.")
    if wildcard:
        host = host[2:]
    if not host or "*" in host or "/" in host:
        raise ValueError(f"看不懂的来源：{pattern}")
    return _Pattern(schemes, host, wildcard, port)


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a web URL; None for opaque or inheriting URLs (about:, data:)."""
    if url.startswith("blob:"):
        url = url[5:]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _WEB_SCHEMES or not parts.hostname:
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


class OriginPolicy:
    """``OriginPolicy(None)`` allows every web origin; otherwise only the listed ones."""

    def __init__(self, patterns: Iterable[str] | None) -> None:
        self.patterns: tuple[str, ...] | None = None if patterns is None else tuple(patterns)
        self._parsed = None if self.patterns is None else [_parse(p) for p in self.patterns]

    def allows(self, origin: str | None) -> bool:
        """Whether ``origin`` (``scheme://host[:port]``) may report; an opaque origin
        (``"null"``, a sandboxed frame) or a non-web one never may."""
        if origin is None:
            return False
        try:
            parts = urlsplit(origin)
            port = parts.port
        except ValueError:
            return False
        host = parts.hostname or ""
        if parts.scheme not in _WEB_SCHEMES or not host:
            return False
        if self._parsed is None:
            return True
        return any(p.matches(parts.scheme, host, port) for p in self._parsed)

    def admits_frame(self, frame: Frame) -> bool:
        """Whether ``frame`` (a Playwright frame) may report: an allowed origin, not sandboxed."""
        from playwright.sync_api import Error

        try:
            return self.allows(frame_origin(frame)) and not sandboxed(frame)
        except Error:
            return False


def frame_origin(frame: Frame) -> str | None:
    """A frame's origin from its URL; about:blank and srcdoc frames have their parent's."""
    probe: Frame | None = frame
    for _ in range(16):
        if probe is None:
            return None
        url = probe.url
        if url.startswith(("about:blank", "about:srcdoc")) or url == "":
            probe = probe.parent_frame
            continue
        return origin_of(url)
    return None


def sandboxed(frame: Frame) -> bool:
    """True for an iframe whose ``sandbox`` attribute gives it an opaque origin."""
    from playwright.sync_api import Error

    if frame.parent_frame is None:
        return False
    try:
        flags = frame.frame_element().get_attribute("sandbox")
    except Error:
        return True  # its element is gone: nothing of it should show
    return flags is not None and "allow-same-origin" not in flags.lower().split()


def check_patterns(patterns: Iterable[str]) -> list[str]:
    """The patterns, checked; raises ValueError with a Chinese sentence for a bad one."""
    found = list(patterns)
    for pattern in found:
        _parse(pattern)
    return found
