"""The demo hall: an offline imitation of the 网办大厅 to try the companion without an account.

``start_demo_server()`` (:mod:`.hall`) serves it on 127.0.0.1 (pages under ``static/``, the
gateway in :mod:`.backend`); ``run(args)`` is ``interceptor demo``, which walks the companion through
every error flow (:mod:`.walk`). ``interceptor launch --demo`` opens the same hall by hand.
"""

from __future__ import annotations

import argparse

from .backend import SCENARIOS, DemoBackend, Scenario
from .hall import STATIC_DIR, start_demo_server

__all__ = ["SCENARIOS", "STATIC_DIR", "DemoBackend", "Scenario", "run", "start_demo_server"]


def run(args: argparse.Namespace) -> int:
    """``interceptor demo``: serve the hall and walk the companion through all seven errors."""
    from .walk import run as walk_run

    return walk_run(args)
