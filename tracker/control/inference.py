"""Inference: places no report names that change with their surroundings, kept apart from reported control
(``inferred`` true) and switchable off."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.control.days import opt
from tracker.control.records import make_event
from tracker.control.rules import State

#: Width (km) of the corridor between an actor's nearest held place and the place it is near, in which
#: places may become ``inferred`` for it.
APPROACH_CORRIDOR_KM: float = 3.0
#: An approach longer than this (km) infers nothing: the nearest held place is not where the force came from.
MAX_APPROACH_KM: float = 60.0


def local_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular km around (lat0, lon0): good to a fraction of a percent over 100 km."""
    return (np.radians(lon - lon0) * 6371.0 * np.cos(np.radians(lat0)), np.radians(lat - lat0) * 6371.0)


def approach_inferences(timeline, proximity: list[dict]) -> tuple[list[dict], list[tuple]]:
    """Places on an actor's approach to a place it is near, ``inferred`` for it: (events, interval rows)."""
    pl = timeline.places
    ok = pl["lat"].notna() & pl["lon"].notna()
    if "coord_precision" in pl:
        ok &= pl["coord_precision"].isin(["point", "inferred"]) | pl["coord_precision"].isna()
    pts = pl[ok]
    rows, events = [], []
    if proximity:
        timeline.reindex()
    for c in proximity:
        dist = c.get("distance_km")
        if dist is None or pd.isna(dist) or float(dist) <= 0 or c["place_id"] not in pts.index:
            continue
        dist = float(dist)
        day = c["date"]
        lat0, lon0 = float(pts.at[c["place_id"], "lat"]), float(pts.at[c["place_id"], "lon"])
        x, y = local_km(pts["lat"].to_numpy(float), pts["lon"].to_numpy(float), lat0, lon0)
        r = np.hypot(x, y)
        state = timeline.state_on(day).reindex(pts.index)
        held = (state["side"].to_numpy() == c["side"]) & (state["status"].to_numpy() == "held")
        held &= pts.index.to_numpy() != c["place_id"]
        if not held.any():
            continue
        h = int(np.argmin(np.where(held, r, np.inf)))
        hx, hy, hr = x[h], y[h], r[h]
        if hr <= dist or hr > MAX_APPROACH_KM:
            continue
        t = (x * hx + y * hy) / (hr * hr)  # position along P -> H (0 at P, 1 at H)
        perp = np.abs(x * hy - y * hx) / hr
        cand = (t > 0) & (t < 1) & (perp <= APPROACH_CORRIDOR_KM) & (r > dist) & ~held
        cand &= state["side"].to_numpy() != c["side"]
        for i in np.flatnonzero(cand):
            pid = pts.index[i]
            old = State(state["side"].iat[i], state["status"].iat[i], opt(state["other_side"].iat[i]))
            new = State(c["side"], "inferred", old.side)
            ev = {**make_event(pid, day, c["reported"], old, new, [c], inferred=True,
                                 note=f"on the approach of a {dist:g} km proximity claim"), "applied": True}
            events.append(ev)
            nxt = timeline.intervals[(timeline.intervals["place_id"] == pid) & (timeline.intervals["valid_from"] > day)]
            until = nxt["valid_from"].min() if len(nxt) else None
            rows.append((pid, c["side"], "inferred", old.side, day, until, True, ev["event_id"],
                         [c["claim_id"]]))
    return events, rows
