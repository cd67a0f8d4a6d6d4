"""Masking of personal data in logs and reports.

18-character 身份证 numbers and 11-digit mainland mobile numbers are replaced by asterisks
except their last four characters, so a report still lets a clerk tell people apart.
"""

from __future__ import annotations

import re

# Lookarounds instead of \b: in Chinese text a number usually touches ideographs, which
# are word characters, so \b would not see the number's edges.
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[0-9Xx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def _keep_last_four(match: re.Match[str]) -> str:
    value = match.group(0)
    return "*" * (len(value) - 4) + value[-4:]


def mask(text: str) -> str:
    """Mask 身份证 and mobile numbers in ``text``."""
    if not text:
        return text
    return _MOBILE.sub(_keep_last_four, _ID_NUMBER.sub(_keep_last_four, text))


def mask_data(value: object) -> object:
    """Mask every string inside a JSON-like structure."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [mask_data(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_data(v) for k, v in value.items()}
    return value
