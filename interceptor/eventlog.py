"""The event log: every intercepted error appended as one JSON line, personal data masked.

Written through loguru with a sink of its own, filtered on a bound marker, so the log file
receives only events and the terminal receives none of them. The file is created owner-only
(0600, in a 0700 folder when we make it) before loguru opens it: loguru appends to an existing
file and keeps its mode. Captures such as a 人员编号 are masked by their name
(:func:`~interceptor.privacy.mask_data`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from loguru import logger

from .files import private_file
from .privacy import mask_data

_MARKER = "interceptor_event"
# Below loguru's DEBUG (10), so a default stderr handler never prints events.
_LEVEL = "EVENT"
_LEVEL_NO = 4


def _ensure_level() -> None:
    try:
        logger.level(_LEVEL)
    except ValueError:
        logger.level(_LEVEL, no=_LEVEL_NO)


class EventLog:
    """Appends events to ``path`` as JSON Lines; ``mask=False`` keeps personal data as is."""

    def __init__(self, path: Path | str, *, mask: bool = True) -> None:
        self.path = private_file(path)
        self.mask = mask
        self._token = f"{id(self)}"
        _ensure_level()
        token = self._token
        self._sink_id: int | None = logger.add(
            str(self.path),
            level=_LEVEL_NO,
            format="{message}",
            filter=lambda record: record["extra"].get(_MARKER) == token,
            encoding="utf-8",
            enqueue=False,
            colorize=False,
        )
        self._logger = logger.bind(**{_MARKER: token})

    def write(self, record: dict[str, Any]) -> None:
        data = mask_data(record) if self.mask else record
        # opt(raw) would skip the format; a plain message keeps one record per line.
        self._logger.log(_LEVEL, "{}", json.dumps(data, ensure_ascii=False, sort_keys=True))

    def close(self) -> None:
        if self._sink_id is not None:
            logger.remove(self._sink_id)
            self._sink_id = None

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_events(path: Path | str) -> list[dict[str, Any]]:
    """The events of a log file, oldest first (for tests and reports)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
