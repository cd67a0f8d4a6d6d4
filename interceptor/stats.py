"""``interceptor stats``: which errors a company or a help desk meets most, and where.

Counts the errors in event logs, ``replay --json`` and ``shots --json`` reports (read by
:func:`interceptor.unknown.read_inputs`) by rule (unknown ones included), by day, by page
or business (the frame URL's path), and by who must act; how often the remedy was shown;
and repeats of the same error for the same (masked) person within a day, a sign that the
remedy did not help. Notices (``severity: info``) are not errors and are not counted.

``--html`` writes one self-contained page with Plotly charts: plotly.js is inlined
(``include_plotlyjs``-style, the library's own offline bundle), so the page opens offline and
mailed on its own; Plotly draws stacked bars, bars and legends out of the box, which hand-drawn
SVG would have to re-invent. Everything in the page is masked text; the figures' data is JSON
that Plotly escapes (``<`` as ``\\u003c``) and the rest is rendered by Jinja with autoescaping.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import write_private_text
from .fingerprint import fingerprint
from .unknown import Group, Occurrence, day_of, draft_yaml, load_inputs, stamp, unknown_groups

if TYPE_CHECKING:
    from .classify import RuleSet

UNKNOWN = "unknown"  # the key of unknown errors in by_day
UNKNOWN_TITLE = "未识别的报错"
SHOTS_PAGE = "（截图）"
NO_PAGE = "（未知页面）"
ACTORS = ("单位", "员工", "经办机构")
TOP = 10


def _title(rules: RuleSet | None, rule: str | None) -> str:
    if rule is None:
        return UNKNOWN_TITLE
    if rules is not None:
        try:
            return rules.get(rule).title
        except KeyError:
            pass
    return rule


def compute(occurrences: Sequence[Occurrence], rules: RuleSet | None = None) -> dict[str, Any]:
    """``{"total", "by_rule", "by_day", "by_page", "by_who", "repeats"}`` for the errors."""
    errors = [o for o in occurrences if o.severity != "info"]
    counts: Counter[str | None] = Counter(o.rule for o in errors)
    shown: Counter[str | None] = Counter(o.rule for o in errors if o.shown)
    by_rule = [
        {"rule": rule, "title": _title(rules, rule), "count": n, "shown": shown[rule]}
        for rule, n in sorted(counts.items(), key=lambda item: (-item[1], item[0] or "~"))
    ]
    days: dict[str, Counter[str]] = defaultdict(Counter)
    for o in errors:
        days[day_of(o.time)][o.rule or UNKNOWN] += 1
    by_day = [
        {"day": day, "count": sum(c.values()), "by_rule": dict(sorted(c.items(), key=lambda i: (-i[1], i[0])))}
        for day, c in sorted(days.items())
    ]
    pages: Counter[str] = Counter(SHOTS_PAGE if o.origin == "shot" else (o.where or NO_PAGE) for o in errors)
    by_page = [{"page": page, "count": n} for page, n in sorted(pages.items(), key=lambda i: (-i[1], i[0]))]
    by_who: dict[str, int] = dict.fromkeys(ACTORS, 0)
    if rules is not None:
        for o in errors:
            if o.rule is None:
                continue
            try:
                who = rules.get(o.rule).remedy.who
            except KeyError:
                continue
            for actor in who:
                by_who[actor] = by_who.get(actor, 0) + 1
    return {
        "total": len(errors),
        "by_rule": by_rule,
        "by_day": by_day,
        "by_page": by_page,
        "by_who": by_who,
        "repeats": repeats(errors),
    }


def repeats(errors: Sequence[Occurrence]) -> list[dict[str, Any]]:
    """The same error for the same masked person on one day, seen more than once."""
    seen: Counter[tuple[str | None, str, str, str]] = Counter()
    for o in errors:
        if o.person is None:
            continue
        key = o.rule if o.rule is not None else "?" + fingerprint(o.text)
        seen[(o.rule, key, o.person, day_of(o.time))] += 1
    return [
        {"rule": rule, "fingerprint": None if rule is not None else key[1:], "person": person, "day": day,
         "count": n}
        for (rule, key, person, day), n in sorted(seen.items(), key=lambda i: (-i[1], i[0][3], i[0][1]))
        if n > 1
    ]


# --- HTML -------------------------------------------------------------------------------


def _figures(stats: dict[str, Any], rules: RuleSet | None) -> list[tuple[str, str]]:
    """(heading, Plotly ``<div>``) for each chart."""
    import plotly.graph_objects as go  # type: ignore[import-untyped]

    layout: dict[str, Any] = {
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "height": 360,
        "font": {"family": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"},
        "legend": {"orientation": "h", "y": -0.2},
    }
    config = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["toImage"]}
    days = [d["day"] for d in stats["by_day"]]
    keys = [r["rule"] or UNKNOWN for r in stats["by_rule"]]
    per_day = go.Figure(
        [
            go.Bar(name=_title(rules, None if key == UNKNOWN else key), x=days,
                   y=[d["by_rule"].get(key, 0) for d in stats["by_day"]])
            for key in keys
        ],
        layout={**layout, "barmode": "stack", "xaxis": {"type": "category"}},
    )
    top = list(reversed(stats["by_rule"][:TOP]))
    top_rules = go.Figure(
        [
            go.Bar(name="出现次数", orientation="h", y=[r["title"] for r in top], x=[r["count"] for r in top]),
            go.Bar(name="显示了处理方法", orientation="h", y=[r["title"] for r in top], x=[r["shown"] for r in top]),
        ],
        layout={**layout, "barmode": "group", "yaxis": {"automargin": True}},
    )
    pages = list(reversed(stats["by_page"][:TOP]))
    by_page = go.Figure(
        [go.Bar(orientation="h", y=[p["page"] for p in pages], x=[p["count"] for p in pages], name="报错数")],
        layout={**layout, "yaxis": {"automargin": True}},
    )
    who = stats["by_who"]
    by_who = go.Figure([go.Bar(x=list(who), y=list(who.values()), name="报错数")], layout=layout)
    charts = [("每天的报错（按规则堆叠）", per_day), ("最常见的报错", top_rules),
              ("报错出现的页面", by_page), ("需由谁处理", by_who)]
    return [
        (heading, figure.to_html(full_html=False, include_plotlyjs=False, config=config,
                                 div_id=f"chart-{number}"))
        for number, (heading, figure) in enumerate(charts, 1)
    ]


def to_html(stats: dict[str, Any], groups: Sequence[Group], rules: RuleSet | None = None) -> str:
    """One self-contained page (plotly.js inlined): charts, top unknown groups, their drafts."""
    from markupsafe import Markup
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

    from .remedy import html_env

    # Plotly's own markup; the data in it is JSON with < escaped.
    figures = [(heading, Markup(div)) for heading, div in _figures(stats, rules)]
    top_groups = list(groups[:TOP])
    template = html_env().get_template("stats.html.j2")
    return template.render(
        stats=stats,
        figures=figures,
        plotly_js=Markup(get_plotlyjs()),  # the library as the plotly package ships it
        groups=[{**g.to_dict(), "draft": draft_yaml([g])} for g in top_groups],
        shown=sum(r["shown"] for r in stats["by_rule"]),
        generated=stamp(time.time()),
    )


# --- the command ------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """``interceptor stats [PATH ...] [--since DATE] [--html FILE] [--json]``."""
    from .classify import load_rules

    inputs = load_inputs(args)
    if inputs is None:
        return 1
    rules = load_rules()
    stats = compute(inputs.occurrences, rules)
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        for line in readable(stats):
            print(line)
    if args.html_file:
        groups = unknown_groups(inputs.occurrences)
        try:
            write_private_text(Path(args.html_file), to_html(stats, groups, rules))
        except OSError as exc:
            print(f"无法写入 {args.html_file}：{exc.strerror or exc}。", file=sys.stderr)
            return 1
        print(f"图表报告已写到 {args.html_file}。", file=sys.stderr if args.json else sys.stdout)
    return 0


def readable(stats: dict[str, Any]) -> list[str]:
    shown = sum(r["shown"] for r in stats["by_rule"])
    lines = [f"共 {stats['total']} 条报错，显示了处理方法的 {shown} 条。"]
    if stats["by_rule"]:
        lines.append("按规则：")
        lines += [f"  {r['count']:>5}  {r['title']}" + (f"  [{r['rule']}]" if r["rule"] else "")
                  for r in stats["by_rule"]]
    if stats["by_day"]:
        lines.append("按日期：")
        lines += [f"  {d['day']}  {d['count']}" for d in stats["by_day"]]
    if stats["by_page"]:
        lines.append("按页面：")
        lines += [f"  {p['count']:>5}  {p['page']}" for p in stats["by_page"][:TOP]]
    lines.append("需由谁处理：" + "，".join(f"{who} {n}" for who, n in stats["by_who"].items()))
    if stats["repeats"]:
        lines.append("同一天同一人反复遇到的报错（处理方法可能没有帮上忙）：")
        lines += [f"  {r['day']}  {r['person']}  {r['rule'] or UNKNOWN_TITLE}  {r['count']} 次" for r in stats["repeats"]]
    return lines
