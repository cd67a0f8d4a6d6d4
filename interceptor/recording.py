"""The recording format shared by ``record`` (which writes it) and ``replay`` (which reads it).

A recording folder holds ``recording.json`` (start URL, which snapshot belongs to which page),
``recording.har``, ``snapshots/`` and ``screenshots/``. A recording may come from someone
else, so every path it names is confined to its folder, and every snapshot is made inert
(no scripts, no ``on*`` handlers, no ``javascript:`` URLs) when it is saved and again when it
is served.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from .errors import TargetError

RECORDING_META = "recording.json"
RECORDING_HAR = "recording.har"


def recording_path(folder: Path, name: str) -> Path:
    """``name`` as read from a recording, resolved inside ``folder``; TargetError when it leaves it.

    A recording may come from someone else: a ``/abs/path`` or ``../x`` in it must not make
    replay read (and serve to a page) a file from elsewhere on the disk.
    """
    root = folder.resolve()
    try:
        candidate = (root / name).resolve()
    except (OSError, ValueError):
        candidate = None
    if not name or candidate is None or (candidate != root and root not in candidate.parents) or candidate == root:
        raise TargetError(f"录制目录 {folder} 中的 {RECORDING_META} 指向目录之外的文件“{name}”，"
                          "为安全起见拒绝重放。")
    return candidate


# Attributes holding an address; a data: URL there may carry a document that runs script.
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background",
                             "cite", "longdesc", "ping", "manifest", "codebase", "lowsrc", "dynsrc"})
_NAME = re.compile(r"[A-Za-z_:][-A-Za-z0-9_:.]*\Z")
_STRIP_URL = re.compile(r"[\x00-\x20]+")


def _is_script_url(value: str, *, url_attribute: bool) -> bool:
    # Browsers drop tabs and newlines anywhere in a URL and spaces and controls at its ends.
    compact = _STRIP_URL.sub("", value).lower()
    if compact.startswith(("javascript:", "vbscript:")):
        return True
    if url_attribute and compact.startswith("data:"):
        media = compact[len("data:") :].split(",", 1)[0]
        return any(kind in media for kind in ("html", "xml", "svg", "script"))
    return False


class _Sanitizer(HTMLParser):
    """Re-writes a document from its parsed tokens, keeping only inert markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._in_script = False
        self._in_style = False

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> str | None:
        if not _NAME.match(tag):
            return None
        kept: list[str] = []
        for name, value in attrs:
            if not _NAME.match(name) or name.startswith("on"):
                continue
            if name == "http-equiv" and (value or "").strip().lower() == "refresh":
                return ""  # a meta refresh can navigate anywhere
            if value is None:
                kept.append(name)
                continue
            if _is_script_url(value, url_attribute=name in _URL_ATTRIBUTES):
                continue
            if name == "srcdoc":
                value = sanitize_html(value)
            kept.append(f'{name}="{html.escape(value, quote=True)}"')
        return "<" + " ".join([tag, *kept]) + (" />" if closed else ">")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._in_script = True
            return
        if tag == "style":
            self._in_style = True
        text = self._tag(tag, attrs, closed=False)
        if text:
            self.out.append(text)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            return
        text = self._tag(tag, attrs, closed=True)
        if text:
            self.out.append(text)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self._in_script = False
            return
        if tag == "style":
            self._in_style = False
        if _NAME.match(tag):
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._in_script:
            return
        if self._in_style:
            # Inside <svg> a browser reads <style> as markup: no "<" may reach it.
            self.out.append(data.replace("<", "\\3c "))
            return
        self.out.append(data.replace("<", "&lt;").replace(">", "&gt;"))

    def handle_entityref(self, name: str) -> None:
        if not self._in_script:
            self.out.append(f"&{name};" if _NAME.match(name) else f"&amp;{html.escape(name)}")

    def handle_charref(self, name: str) -> None:
        if not self._in_script:
            self.out.append(f"&#{name};" if re.fullmatch(r"[xX]?[0-9A-Fa-f]+", name) else f"&amp;#{html.escape(name)}")

    def handle_decl(self, decl: str) -> None:
        if decl.lower().startswith("doctype"):
            self.out.append(f"<!{html.escape(decl, quote=False)}>")

    # Comments, processing instructions and CDATA sections are dropped: parsers disagree on
    # where some of them end (``--!>``), and a snapshot does not need them.
    def handle_comment(self, data: str) -> None:
        return

    def handle_pi(self, data: str) -> None:
        return

    def unknown_decl(self, data: str) -> None:
        return


def sanitize_html(text: str) -> str:
    """``text`` parsed and written back inert: no scripts, ``on*`` handlers or ``javascript:`` URLs.

    Also drops meta refreshes and comments; ``srcdoc`` documents are sanitised in turn. The
    result is re-serialised from the parser's tokens (attribute values escaped), so what a
    browser parses is what was checked, however odd the input's markup.
    """
    parser = _Sanitizer()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)
