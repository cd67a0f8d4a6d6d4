"""Serving the demo hall: its static pages and its gateway, on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from ..server import LocalServer
from .backend import DemoBackend

STATIC_DIR = Path(__file__).resolve().parent / "static"


def start_demo_server(port: int = 0) -> LocalServer:
    """Serve the demo hall on 127.0.0.1 (already started; call ``.stop()`` or use ``with``).

    Each server has its own backend, so every run starts from the same invented world.
    """
    return LocalServer([STATIC_DIR], routes=DemoBackend(), port=port).start()
