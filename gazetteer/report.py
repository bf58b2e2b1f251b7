"""Plain-text and JSON views of the gazetteer for the command line."""

from __future__ import annotations

from .resolve import Candidate, Resolution


def candidate_dict(c: Candidate) -> dict:
    """A candidate as a JSON-ready dict."""
    return {"place_id": c.place_id, "name_en": c.name_en, "name_ar": c.name_ar, "lat": c.lat, "lon": c.lon,
            "coord_precision": c.coord_precision, "feature_type": c.feature_type, "admin": c.admin_path,
            "adm3_pcode": c.adm3_pcode, "country": c.country, "score": c.score, "reasons": c.reasons}


def resolution_dict(r: Resolution) -> dict:
    """A resolution as a JSON-ready dict."""
    return {"query": r.query, "best": r.best.place_id if r.best else None, "ambiguous": r.ambiguous,
            "reason": r.reason, "direction": r.direction,
            "candidates": [candidate_dict(c) for c in r.candidates]}


def resolution_text(r: Resolution, limit: int = 10) -> str:
    """Ranked candidates, one block each."""
    head = f"{r.query}: " + (f"best {r.best.place_id}" if r.best else "no best") + f" ({r.reason})"
    lines = [head]
    for i, c in enumerate(r.candidates[:limit], 1):
        coord = f"{c.lat:.4f}, {c.lon:.4f}" if c.lat is not None else "no coordinate"
        lines.append(f"{i:>2}. {c.score:5.2f}  {c.place_id}  {c.name_en or ''} | {c.name_ar or ''}  "
                     f"[{c.feature_type}]  {coord} ({c.coord_precision})  {c.admin_path}")
        if c.reasons:
            lines.append("          " + "; ".join(c.reasons))
    if len(r.candidates) > limit:
        lines.append(f"    ... {len(r.candidates) - limit} more")
    return "\n".join(lines)


def stats_text(meta: dict) -> str:
    """The build statistics as an indented listing."""
    lines = [f"gazetteer {meta.get('version')}: {meta.get('places')} places, "
             f"{meta.get('arabic_and_point')} with an Arabic name and a point"]
    for key in ("by_source", "by_precision", "by_feature_type", "by_governorate", "by_country", "links"):
        lines.append(f"{key}:")
        for k, v in (meta.get(key) or {}).items():
            lines.append(f"  {k:<28} {v}")
    return "\n".join(lines)
