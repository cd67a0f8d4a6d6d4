"""interceptor: recognise the errors of the Jiangsu social-insurance online hall and show their remedy.

The core (rules, classify) knows nothing of browsers or OCR; ``attach`` and ``Companion``
are imported lazily so that importing the package does not load Playwright.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .classify import Match, RuleSet, load_rules
from .errors import (
    BrowserError,
    CompanionTimeout,
    ImageError,
    InterceptorError,
    RuleError,
    RuleFileErrors,
    TargetError,
)
from .rules import FaqEntry, Remedy, Rule
from .version import installed_version

if TYPE_CHECKING:
    from .companion import Companion, Event, attach

__all__ = [
    "BrowserError",
    "Companion",
    "CompanionTimeout",
    "Event",
    "FaqEntry",
    "ImageError",
    "InterceptorError",
    "Match",
    "Remedy",
    "Rule",
    "RuleError",
    "RuleFileErrors",
    "RuleSet",
    "TargetError",
    "attach",
    "load_rules",
]

__version__ = installed_version()

_LAZY = {"attach": "companion", "Companion": "companion", "Event": "companion"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'interceptor' has no attribute {name!r}")
