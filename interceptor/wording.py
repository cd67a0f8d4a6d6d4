"""The words a person reads for interceptor's internal names.

Events, rules and answers carry English identifiers (``dom``, ``network``, rule ids) for
programs and logs; what a clerk reads on the terminal says the same in Chinese.
"""

from __future__ import annotations

SOURCE_WORDS = {
    "dom": "页面提示",
    "dialog": "弹出的对话框",
    "network": "服务器返回",
}


def source_words(source: str) -> str:
    """Where an error was seen, in Chinese (``dom`` → 页面提示)."""
    return SOURCE_WORDS.get(source, "页面")


def confidence(score: float) -> str:
    """A match score between 0 and 1 as a clerk reads it."""
    return f"把握 {round(max(0.0, min(1.0, score)) * 100)}%"
