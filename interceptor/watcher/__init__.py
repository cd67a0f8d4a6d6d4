"""The in-page scripts of the live companion, shipped as package data.

``watcher.js`` runs in every frame and reports candidate error texts; ``overlay.js`` draws
remedies in the top-level page. Both run in an isolated world the page's scripts cannot
reach. Python reads them with :func:`script` and installs them through a CDP session
(``interceptor/channel.py``); options go in as JSON, never as generated code.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ..protocol import script_protocol

# Both run in our isolated world of every frame (interceptor/channel.py); the overlay only
# draws in the top frame.
SCRIPTS = ("watcher.js", "overlay.js")


@cache
def script(name: str) -> str:
    """The text of one bundled script, e.g. ``script("watcher.js")``."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def config_prelude(config: dict[str, Any], name: str = "__interceptorConfig") -> str:
    """A one-line script that hands ``config`` to the scripts after it as a JSON value."""
    data = json.dumps(config, ensure_ascii=False)
    return (
        f"try {{ Object.defineProperty(window, {json.dumps(name)}, "
        f"{{ value: {data}, configurable: true }}); }} catch (e) {{}}\n"
        "//# sourceURL=interceptor-config.js\n"
    )


def bundle(config: dict[str, Any]) -> str:
    """Config, watcher and overlay as one script, in the order they need each other; the
    config carries the protocol's names (interceptor/protocol.py)."""
    return "\n".join([config_prelude({**config, "protocol": script_protocol()}),
                      *(script(name) for name in SCRIPTS)])


def hook_bundle() -> str:
    """shadow-hook.js with the one name it needs, for the page's own world."""
    prelude = config_prelude({"shadowEvent": script_protocol()["shadowEvent"]}, "__interceptorHookConfig")
    return "\n".join([prelude, script("shadow-hook.js")])
