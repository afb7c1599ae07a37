"""MkDocs hook: let long identifiers in table cells break after underscores, and only there.

The "At a glance" tables put a function name such as ``first_contact_resolution_rate_from_counts``
in their first column. Left alone, the browser either keeps the name on one line (and squeezes
the other columns until their code wraps letter by letter) or breaks it anywhere. This hook
inserts ``<wbr>`` (an optional line break, invisible and not copied) after each underscore of
the inline code in table cells, and ``extra.css`` forbids breaks anywhere else in that code.
The Markdown source stays plain.
"""

from __future__ import annotations

import re
from typing import Any

_ANY_CODE_IN_CELL = re.compile(r"<td[^>]*>.*?</td>", re.DOTALL)
_CODE = re.compile(r"<code>([^<]*)</code>")


def _break_code(match: re.Match[str]) -> str:
    return "<code>" + match.group(1).replace("_", "_<wbr>") + "</code>"


def _break_cell(match: re.Match[str]) -> str:
    return _CODE.sub(_break_code, match.group(0))


def on_page_content(html: str, **_: Any) -> str:
    """Insert ``<wbr>`` after the underscores of inline code inside table cells."""
    return _ANY_CODE_IN_CELL.sub(_break_cell, html)
