"""The installed version, read from the package metadata; pyproject.toml is its one source."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "interceptor"


def installed_version() -> str:
    """``0.1.0`` and so on; ``0+unknown`` for a source tree that was never installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"
