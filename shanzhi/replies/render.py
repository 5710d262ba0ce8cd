"""Placeholders of response templates: a fixed set, replaced by plain substitution.

`{编号}` becomes the caller's value for 编号. A name outside the set, or one the caller has no value for, is
left as written, so the person sending sees it and fills it in. Nothing else in the text is interpreted:
no template language, no attribute lookups, no format specs — a template can't reach any data.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "编号": _("民情或议题编号"),
    "标题": _("标题"),
    "类别": _("类别名称"),
    "期限": _("当前环节的时限"),
    "承办单位": _("承办单位名称"),
    "社区": _("所在社区或网格"),
    "日期": _("今天的日期"),
}
PATTERN = re.compile(r"\{([^{}\s]{1,12})\}")


def render(body: str, values: dict[str, str]) -> str:
    def one(m: re.Match) -> str:
        name = m.group(1)
        value = values.get(name) if name in PLACEHOLDERS else None
        return str(value) if value not in (None, "") else m.group(0)

    return PATTERN.sub(one, body or "")


def unknown_placeholders(body: str) -> list[str]:
    return sorted({m.group(1) for m in PATTERN.finditer(body or "") if m.group(1) not in PLACEHOLDERS})
