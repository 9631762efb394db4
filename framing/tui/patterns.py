"""Sample patterns (``{image}_{text}_{joint}``) shortened for narrow columns, with the
legend that explains the short form wherever it appears."""

from __future__ import annotations

import re

#: how :func:`abbrev` shortens a pattern (shown as a tooltip where abbreviations appear)
PATTERN_LEGEND = ("pattern image/text→joint grade: s safe, b borderline, "
                  "u unsafe, ? not sure (e.g. s/s→u: safe image, safe text, unsafe together)")
_GRADE_LETTER = {"safe": "s", "borderline": "b", "unsafe": "u", "not_sure": "?"}
_PATTERN = re.compile(r"^(safe|borderline|unsafe|not_sure)_(safe|borderline|unsafe|not_sure)_"
                      r"(safe|borderline|unsafe|not_sure)$")


def abbrev(pattern: str) -> str:
    """``borderline_safe_unsafe`` -> ``b/s→u`` (image/text→joint); ``not_sure`` is ``?``."""
    match = _PATTERN.match(pattern)
    if match is None:
        return pattern
    image, text, joint = (_GRADE_LETTER[g] for g in match.groups())
    return f"{image}/{text}→{joint}"
