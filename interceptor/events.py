"""An intercepted error, as the companion reports and logs it; which events repeat one
another; and the card the overlay draws for one."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .fingerprint import fingerprint
from .origins import origin_of
from .protocol import Card
from .remedy import rows_json

if TYPE_CHECKING:
    from .classify import Match

Source = Literal["dom", "dialog", "network"]


@dataclass
class Event:
    """One intercepted error."""

    source: Source
    text: str
    rule: str | None
    captures: dict[str, str] = field(default_factory=dict)
    # Whether its remedy card was drawn; None while the card is still being drawn.
    overlay: bool | None = False
    frame_url: str = ""
    time: float = field(default_factory=time.time)
    title: str | None = None
    kind: str = ""  # where the text came from: the banner's library, "page-text", "alert", "api"…
    # An API error the page never showed (the hall's login page swallows some): the card
    # says so, since the person saw nothing happen.
    hidden: bool = False
    # "info" for a notice (its rule's severity): shown as a quiet tip, not counted as an error.
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fold_key(event: Event) -> str:
    """Events with the same key are the same error again: one card with a count. Known
    errors by rule and values; unknown ones by the fingerprint of their text (which leaves
    out numbers, dates, IDs and such), so 操作失败（错误码17） and （错误码942） are one."""
    if event.rule is not None:
        return f"{event.rule}|{json.dumps(event.captures, sort_keys=True, ensure_ascii=False)}"
    return "?" + fingerprint(event.text)


class Recent:
    """The errors seen in the last ``window`` seconds: the same error seen through several
    channels (its API response, then its toast) is one event. Also remembers which API
    errors the page went on to show (``sighted``)."""

    def __init__(self, window: float, size: int) -> None:
        self.window = window
        self.size = size
        self._seen: list[tuple[float, str, str]] = []  # (time, key, normalised text)
        self._sighted: dict[str, float] = {}

    def repeat_of(self, key: str, norm: str, now: float) -> str | None:
        """The key of a recent event this one repeats (and refreshes), or None."""
        self._seen = [r for r in self._seen[-self.size:] if now - r[0] < self.window]
        for index, (_, seen_key, seen_norm) in enumerate(self._seen):
            same = seen_key == key
            if not same and key.startswith("?") and seen_key.startswith("?"):
                # Unknown errors: the toast often wraps the API message ("获取…失败:" + msg).
                same = bool(norm) and bool(seen_norm) and (norm in seen_norm or seen_norm in norm)
            if same:
                self._seen[index] = (now, seen_key, seen_norm)
                return seen_key
        return None

    def add(self, key: str, norm: str, now: float) -> None:
        self._seen.append((now, key, norm))

    def sighted(self, key: str) -> None:
        self._sighted[key] = time.monotonic()
        if len(self._sighted) > self.size:
            self._sighted.pop(next(iter(self._sighted)))

    def was_sighted(self, key: str) -> bool:
        return key in self._sighted

    def take_sighting(self, key: str) -> bool:
        return self._sighted.pop(key, None) is not None


def card_for(event: Event, match: Match | None, page_url: str) -> Card:
    """What the overlay draws for ``event``: made from the rule table and nothing else."""
    origin = origin_of(event.frame_url)
    return {
        # Unguessable, so nothing can refer to a card it did not see drawn.
        "key": secrets.token_hex(8),
        "rule": event.rule,
        # "info" rules (a notice, not an error) get a small quiet tip instead of a card.
        "severity": event.severity,
        "title": event.title,
        "rows": rows_json(match.rule.remedy) if match else [],
        "text": event.text,
        "source": event.source,
        # A frame of another site says where it comes from.
        "origin": origin if origin is not None and origin != origin_of(page_url) else None,
        "hidden": event.hidden,
        "fold": fold_key(event),
    }
