"""The messages between the page scripts and Python, defined once.

``watcher.js`` reports what it sees through the binding ``BINDING`` as a :class:`Report`;
Python draws a :class:`Card` with the overlay's methods (:data:`OVERLAY_METHODS`). The
scripts name none of these values themselves: :func:`script_protocol` hands them over in
their config, and a test checks that the scripts hold no other copy.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypedDict

WORLD = "interceptor"  # the isolated world our scripts run in, in every frame
BINDING = "__interceptorReport"  # exists only in that world
SHADOW_EVENT = "interceptor-shadow"  # fired by shadow-hook.js (page world) on a shadow host


class ReportChannel(StrEnum):
    BANNER = "banner"  # a UI library's banner, dialog or toast
    TEXT = "text"  # a known error sentence in ordinary page text
    ESCAPE = "escape"  # the person pressed Esc inside a frame: close the newest card


class Level(StrEnum):
    ERROR = "error"  # styled as an error: an unknown text still counts
    PLAIN = "plain"  # untyped: Python decides by the words
    KNOWN_ONLY = "known-only"  # only a known rule counts (forms, page text)


class Report(TypedDict, total=False):
    """What the watcher sends (every field is still checked in Python)."""

    channel: str
    kind: str  # the banner's library ("layui-msg", "bootstrap-alert", …) or "page-text"
    level: str
    title: str
    text: str
    href: str  # the reporting document's own URL and origin
    origin: str
    lost: int  # reports the watcher held back since the last one (its own rate limit)


class Card(TypedDict):
    """What the overlay draws; made in Python from the rule table only."""

    key: str
    rule: str | None
    severity: str  # "error", or "info" for a quiet tip
    title: str | None
    rows: list[dict[str, Any]]  # interceptor.remedy.rows_json
    text: str  # the original error, shown as quoted text
    source: str
    origin: str | None  # a frame of another site: which one
    hidden: bool  # an API error the page never showed
    fold: str  # cards with the same fold are one card with a count (the same error again)


OVERLAY_METHODS = ("show", "count", "closeNewest", "describe", "dock", "clear")


def script_protocol() -> dict[str, Any]:
    """The values the scripts need, for their config."""
    return {
        "binding": BINDING,
        "shadowEvent": SHADOW_EVENT,
        "channels": {c.name.lower(): c.value for c in ReportChannel},
        "levels": {level.name.lower(): level.value for level in Level},
    }
