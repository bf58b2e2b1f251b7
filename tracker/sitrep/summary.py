"""The summary paragraph of a weekly report, written from its figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tracker.sitrep.model import Change, Sitrep
from tracker.sitrep.words import fmt_km2, fmt_range, known, side_label


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def _names(changes: Sequence[Change], limit: int = 3) -> str:
    """The places, most important first (cities before towns before villages, then confidence)."""
    ranked = sorted(changes, key=lambda c: (c.weight, c.day or dt.date.min))
    names = list(dict.fromkeys(c.name_en for c in ranked))
    shown = names[:limit]
    if len(names) > limit:
        shown.append(_plural(len(names) - limit, "other place"))
    if not shown:
        return ""
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _the(side: str | None) -> str:
    """A side's label as the subject or object of a sentence: ``the Islamic State``, ``HTS``."""
    return ("" if side in {"hts", "turkey"} else "the ") + side_label(side)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def final_changes(changes: Sequence[Change]) -> list[Change]:
    """The last reported change of each place in the week (Mayadin contested on Thursday, taken on Sunday:
    taken), inferred changes left out."""
    last: dict[str, Change] = {}
    for c in sorted(changes, key=lambda c: c.day or dt.date.min):
        if not c.inferred and c.status != "inferred":
            last[c.place_id or c.name_en] = c
    return list(last.values())


def write_summary(rep: Sitrep) -> str:
    """The summary paragraph: who gained, how much ground, the most important changes, what is disputed."""
    where = "" if rep.region == "syria" else f" in {rep.region_label}"
    if not rep.reports and not rep.changes:
        text = (f"No reports in the database are dated in week {rep.week} of {rep.year} "
                f"({fmt_range(rep.start, rep.end)}){where}, so this report has nothing new to say")
        return text + (": the ground held below is carried over from earlier weeks." if rep.areas else ".")
    parts: list[str] = []
    final = final_changes(rep.changes)
    gains: dict[str, list[Change]] = {}
    for c in final:
        # a new holder, or the holder of a contested or besieged place now holding it outright
        if c.status == "held" and known(c.to_side) and (
                c.to_side != c.from_side or c.from_status in {"contested", "besieged"}):
            gains.setdefault(c.to_side, []).append(c)
    area = {a.side: a for a in rep.areas}

    def net(side: str) -> float:
        return (area[side].change_km2 or 0.0) if side in area else 0.0

    for i, side in enumerate(sorted(gains, key=lambda s: (-net(s), -len(gains[s])))):
        cs = gains[side]
        losers = [s for s in dict.fromkeys(c.from_side for c in sorted(cs, key=lambda c: c.weight))
                  if known(s) and s != side]
        frm = f" from {' and '.join(_the(s) for s in losers)}" if losers else ""
        ground = f", a net gain of {fmt_km2(net(side))}" if round(net(side)) > 0 else ""
        if i == 0:
            parts.append(f"The week's main gains{where} were by {_the(side)}, which took {_names(cs)}{frm}{ground}.")
        else:
            parts.append(_sentence(f"{_the(side)} took {_names(cs)}{frm}{ground}."))
    claimed: dict[str, list[Change]] = {}
    for c in final:
        if c.status == "claimed" and known(c.to_side):
            claimed.setdefault(c.to_side, []).append(c)
    if not gains:
        parts.append(f"No place{where} is reported to have changed hands this week"
                     + (" on evidence that settles it." if claimed else "."))
    for side, cs in claimed.items():
        parts.append(_sentence(f"{_the(side)} is claimed to have taken {_names(cs)}, "
                               "not yet confirmed by an independent report."))
    losses = sorted((a for a in rep.areas if (a.change_km2 or 0) <= -0.5), key=lambda a: a.change_km2 or 0)
    if losses:
        parts.append(_sentence(" and ".join(f"{_the(a.side)} lost a net {fmt_km2(abs(a.change_km2 or 0))}"
                                            for a in losses) + "."))
    fought = [c for c in final if c.status in {"contested", "besieged"}]
    if fought:
        verb = "is" if len(fought) == 1 else "are"
        parts.append(f"Fighting was reported in or around {_names(fought)}, which {verb} now contested or besieged.")
    new_states = [p for p in rep.contested + rep.besieged if p.since and p.since >= rep.start]
    old = len(rep.contested) + len(rep.besieged) - len(new_states) + sum(g.count for g in rep.standing)
    if old:
        parts.append(f"{_plural(old, 'other place')} {'remains' if old == 1 else 'remain'} contested or besieged "
                     "from earlier weeks.")
    if rep.disputed:
        parts.append(f"{_plural(len(rep.disputed), 'claim')} {'was' if len(rep.disputed) == 1 else 'were'} "
                     "denied or contradicted (listed below).")
    n = len(rep.reports)
    sources = sorted({r.source for r in rep.reports if r.source})
    est = sum(r.published_estimated for r in rep.reports if r.kind != "chronicle")
    tail = f"Based on {_plural(n, 'report')}" + (f" from {_plural(len(sources), 'source')}" if sources else "")
    if est:
        tail += ("; its publication date is an estimate" if n == 1 else
                 f"; {'their' if est == n else f'{est} of their'} publication dates are estimates")
    parts.append(tail + ".")
    return " ".join(parts)
