"""What counts as English a clerk would have to read: a run of three or more English words,
once commands, options, paths, addresses, file names and codes are taken out."""

from __future__ import annotations

import re

_NOT_WORDS = re.compile(
    r"interceptor(?: [a-z]+)*"  # a command to type: interceptor rules check
    r"|(?<![\w-])--?[a-z][a-z-]*(?: [A-Z][A-Z_]*)?"  # an option and its metavar: --profile DIR
    r"|[A-Za-z]+://\S+"  # an address
    r"|(?:[A-Za-z]:)?[\w.~-]*[/\\][\w./\\~-]*"  # a path
    r"|[\w.-]+\.(?:yaml|yml|json|jsonl|html|har|png|jpg|csv|txt|bat|whl)\b"  # a file name
    r"|\b[A-Z][A-Z0-9_]{2,}\b"  # a code or constant: ERR_NAME_NOT_RESOLVED, DISPLAY
    r"|'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’"  # quoted text: a key, a value, the page's own words
    r"|\{[a-z_:]+\}"  # a slot
)
_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,.:;!?()0-9-]+[A-Za-z]{2,}){2,}")
# Single English words that mark untranslated output: argparse's, Python's, raw event sources,
# and rule ids (lower-case words joined by "-") outside quotes.
_MARKERS = re.compile(
    r"\b(?:usage|error|options|Traceback|Exception|failed|Errno)\b|\[(?:dom|dialog|network)\]"
    r"|（(?:dom|dialog|network)）|(?<![\w-])[a-z]+(?:-[a-z]+){2,}(?![\w-])"
)


def english_sentences(text: str) -> list[str]:
    """The runs of English words left in ``text`` (empty when a clerk can read all of it)."""
    rest = _NOT_WORDS.sub(" ", text)
    return _SENTENCE.findall(rest) + _MARKERS.findall(rest)
