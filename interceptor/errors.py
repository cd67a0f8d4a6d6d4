"""Every error interceptor raises, under one root.

    InterceptorError
    ├── RuleError                 a rule file cannot be used (carries path:line)
    │   └── RuleFileErrors        several RuleErrors found in one check
    ├── BrowserError              no usable browser, or it could not start
    ├── CompanionTimeout          wait_for_event saw no matching event in time
    ├── TargetError               a replay/record target cannot be loaded
    └── ImageError                a screenshot cannot be read

Messages are full sentences a clerk or rule author can act on.
"""

from __future__ import annotations

from pathlib import Path


class InterceptorError(Exception):
    """Root of every error raised by interceptor."""


class RuleError(InterceptorError):
    """A problem in a rule file, located as ``path:line``."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.location_text())

    def location_text(self) -> str:
        if self.path is None:
            return self.message
        return f"{self.path}:{self.line or 1}: {self.message}"


class RuleFileErrors(RuleError):
    """Several rule problems reported together, one per line."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        first = errors[0] if errors else RuleError("The rule files have problems.")
        super().__init__(first.message, first.path, first.line)

    def location_text(self) -> str:
        return "\n".join(e.location_text() for e in getattr(self, "errors", [])) or self.message


class BrowserError(InterceptorError):
    """No usable browser was found, or it failed to start."""


class CompanionTimeout(InterceptorError, TimeoutError):
    """No matching event arrived before the timeout."""


class TargetError(InterceptorError):
    """A replay or record target cannot be loaded."""


class ImageError(InterceptorError):
    """A screenshot cannot be read as an image."""
