"""Check the control timeline against the public record: the figures of issue 14.

    python scripts/check_control.py                 # runs `tracker run` on the default inputs into a temporary folder
    python scripts/check_control.py --db FILE       # checks an existing database instead
    python scripts/check_control.py --json          # one JSON object instead of the text report

What it measures (every figure is read from the database the control stage wrote):

1. News events: every event of ``<sources>/corpus/news/events.csv`` dated after the baseline. Right when the place
   shows the gaining side 3 days after the event date and not 3 days before. The place is the settlement with a
   cell nearest the event's coordinates (the cell a reader of the map looks at); "shows" is the side drawn there,
   inferred and claimed control included.
2. Towns: ``scripts/data/town_control.csv`` (labels made from the public record; how the towns were chosen is in
   its header), on the 1st and 15th of every month from August 2017 to February 2020: the share of town-days on
   which the side shown is one the record allows.
3. Coverage: every cell's union against Syria's outline (land without a class), and the day's areas
   (``faction_area``) against Syria's area, on every day.
4. The wrong changes issue 14 lists, and Afrin district on 25 March 2018.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import polygons, settings, store  # noqa: E402
from tracker.control import STALE_DAYS  # noqa: E402

TOWNS = ROOT / "scripts" / "data" / "town_control.csv"
EVENT_OFFSET_DAYS = 3
CHECK_FIRST, CHECK_LAST = date(2017, 8, 1), date(2020, 2, 15)


def check_days() -> list[date]:
    """The 1st and 15th of every month from August 2017 to February 2020."""
    days, d = [], CHECK_FIRST
    while d <= CHECK_LAST:
        days += [d, d.replace(day=15)]
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [x for x in days if x <= CHECK_LAST]


class Db:
    """The control tables of one database, read once."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.cells = con.execute(
            "SELECT place_id, name_en, lat, lon, adm2_en, cell_wkb FROM places WHERE has_cell").df()
        self.start = con.execute("SELECT min(valid_from) FROM control_intervals").fetchone()[0]
        self._state: dict[date, pd.DataFrame] = {}

    def nearest_cell(self, lat: float, lon: float) -> tuple[str, str, float]:
        """(place_id, name, km) of the cell place nearest a point."""
        c = self.cells
        d = np.hypot((c["lat"] - lat) * 111.2, (c["lon"] - lon) * 111.2 * np.cos(np.radians(lat)))
        i = int(np.argmin(d.to_numpy()))
        return c["place_id"].iat[i], c["name_en"].iat[i], float(d.iat[i])

    def shown(self, day: date) -> pd.DataFrame:
        """Every place's drawn side on ``day``: the inferred side where inference applies, else the holder."""
        if day not in self._state:
            df = self.con.execute("SELECT * FROM control_on(?)", [day]).df()
            df = df[~df["place_id"].duplicated(keep="last")].set_index("place_id")
            df["shown"] = df["inferred_side"].where(df["inferred_side"].notna(), df["side"])
            self._state[day] = df
        return self._state[day]

    def side(self, place_id: str, day: date) -> tuple[str, str]:
        st = self.shown(day)
        if place_id not in st.index:
            return "unknown", "unknown"
        row = st.loc[place_id]
        return str(row["shown"]), str(row["status"])


def news_events(db: Db) -> dict:
    events = pd.read_csv(settings.sources_dir() / "corpus" / "news" / "events.csv")
    events["event_date"] = pd.to_datetime(events["event_date"]).dt.date
    rows = []
    for ev in events[events["event_date"] > db.start].itertuples(index=False):
        pid, name, km = db.nearest_cell(ev.lat, ev.lon)
        before = db.side(pid, ev.event_date - timedelta(days=EVENT_OFFSET_DAYS))
        after = db.side(pid, ev.event_date + timedelta(days=EVENT_OFFSET_DAYS))
        ok = after[0] == ev.gaining_side and before[0] != ev.gaining_side
        rows.append({"event": ev.event_key, "gaining": ev.gaining_side, "place_id": pid, "place": name,
                     "km": round(km, 1), "before": "/".join(before), "after": "/".join(after), "right": ok})
    right = sum(r["right"] for r in rows)
    return {"events": rows, "right": right, "total": len(rows), "share": right / len(rows) if rows else None}


def towns(db: Db) -> dict:
    labels = pd.read_csv(TOWNS, comment="#", dtype=str, keep_default_na=False)
    days = check_days()
    per_town, total, agree = [], 0, 0
    for town, rows in labels.groupby("town", sort=False):
        lat, lon = float(rows["lat"].iat[0]), float(rows["lon"].iat[0])
        pid, name, km = db.nearest_cell(lat, lon)
        n = ok = 0
        misses = []
        for day in days:
            match = [r for r in rows.to_dict("records")
                     if date.fromisoformat(r["from"]) <= day and (not r["to"] or day <= date.fromisoformat(r["to"]))]
            if not match:
                continue
            allowed = set(match[0]["sides"].split("|"))
            side, status = db.side(pid, day)
            n += 1
            if side in allowed:
                ok += 1
            else:
                misses.append(f"{day} {side}/{status} (record: {match[0]['sides']})")
        per_town.append({"town": town, "place_id": pid, "place": name, "km": round(km, 1), "days": n,
                         "agree": ok, "misses": misses})
        total += n
        agree += ok
    return {"towns": per_town, "town_days": total, "agree": agree, "share": agree / total if total else None}


def coverage(db: Db) -> dict:
    outline = polygons.syria_outline()
    cells = shapely.from_wkb([bytes(b) for b in db.cells["cell_wkb"]])
    cells = polygons.to_equal_area(cells)
    union = shapely.union_all(cells)
    syria_km2 = shapely.area(outline) / 1e6
    uncovered_km2 = shapely.area(shapely.difference(outline, union)) / 1e6
    area = db.con.execute("SELECT day, sum(area_km2) AS km2 FROM faction_area GROUP BY day ORDER BY day").df()
    dev = (area["km2"] - syria_km2).abs() / syria_km2
    unknown = db.con.execute(
        "SELECT count(DISTINCT day) FROM faction_area WHERE side = 'unknown' AND area_km2 > 1").fetchone()[0]
    return {"syria_km2": round(syria_km2), "cells_km2": round(shapely.area(union) / 1e6),
            "uncovered_km2": round(uncovered_km2, 1), "days": len(area),
            "max_area_deviation_pct": round(100 * float(dev.max()), 3) if len(area) else None,
            "days_with_unknown_land": int(unknown)}


#: The wrong changes issue 14 lists, as (what, place near (lat, lon), day, sides it must not show / statuses).
ISSUE_CHECKS = [
    ("Aleppo not HTS after 10 January 2019", (36.2012, 37.1612), date(2019, 1, 12), {"hts"}, None),
    ("Hajin not IS after 9 February 2019", (34.6890, 40.8310), date(2019, 2, 11), {"isis"}, None),
    ("Azaz not government after 16 February 2020", (36.5860, 37.0460), date(2020, 2, 18), {"government"}, None),
    ("Hama not besieged on 21 January 2018", (35.1340, 36.7580), date(2018, 1, 21), None, {"besieged"}),
    ("Aleppo not besieged on 21 January 2018", (36.2012, 37.1612), date(2018, 1, 21), None, {"besieged"}),
    ("Idlib not besieged on 21 January 2018", (35.9310, 36.6340), date(2018, 1, 21), None, {"besieged"}),
    ("Deir ez-Zor not besieged on 1 December 2017", (35.3359, 40.1408), date(2017, 12, 1), None, {"besieged"}),
    ("Abu Kamal not IS on 1 January 2018", (34.4500, 40.9180), date(2018, 1, 1), {"isis"}, None),
]


def issue_checks(db: Db) -> dict:
    rows = []
    for what, (lat, lon), day, sides, statuses in ISSUE_CHECKS:
        pid, name, _ = db.nearest_cell(lat, lon)
        side, status = db.side(pid, day)
        ok = not (sides and side in sides) and not (statuses and status in statuses)
        rows.append({"check": what, "place": name, "shown": f"{side}/{status}", "right": ok})
    isis_km2, isis_stale = db.con.execute(
        "SELECT coalesce(sum(area_km2), 0), coalesce(sum(stale_km2), 0) FROM faction_area WHERE side = 'isis' "
        "AND day = DATE '2020-02-27'").fetchone()
    afrin = db.shown(date(2018, 3, 25))
    in_afrin = db.cells[db.cells["adm2_en"].fillna("").str.casefold() == "afrin"]["place_id"]
    sides = afrin.reindex(in_afrin)["shown"]
    far = subprocess.run([sys.executable, "-m", "tracker", "control", "--date", "2030-01-01", "--db",
                          str(db.path)], capture_output=True, text=True) if getattr(db, "path", None) else None
    return {"checks": rows, "isis_km2_2020_02_27": round(float(isis_km2)), "isis_stale_km2": round(float(isis_stale)),
            "afrin_district_2018_03_25": {k: int(v) for k, v in sides.value_counts().items()},
            "afrin_turkey_share": round(float((sides.isin(["turkey", "opposition"])).mean()), 3) if len(sides) else None,
            "control_2030_exit_code": far.returncode if far is not None else None,
            "control_2030_stderr": far.stderr.strip().splitlines()[-1:] if far is not None else None}


def report(db: Db) -> dict:
    return {"news_events": news_events(db), "towns": towns(db), "coverage": coverage(db),
            "issue_14": issue_checks(db)}


def print_report(r: dict) -> None:
    ne = r["news_events"]
    print(f"News events after the baseline: {ne['right']}/{ne['total']} right "
          f"({100 * ne['share']:.0f}%): gaining side {EVENT_OFFSET_DAYS} days after, not {EVENT_OFFSET_DAYS} before")
    for e in ne["events"]:
        print(f"  {'ok ' if e['right'] else 'BAD'} {e['event']:<28} {e['gaining']:<11} {e['place'][:30]:<30} "
              f"({e['km']} km)  before {e['before']:<24} after {e['after']}")
    t = r["towns"]
    print(f"\nTowns: {t['agree']}/{t['town_days']} town-days agree ({100 * t['share']:.1f}%), "
          f"{len(t['towns'])} towns, 1st and 15th of each month {CHECK_FIRST:%Y-%m} to {CHECK_LAST:%Y-%m}")
    for x in t["towns"]:
        miss = f"  misses: {'; '.join(x['misses'][:3])}{' ...' if len(x['misses']) > 3 else ''}" if x["misses"] else ""
        print(f"  {x['town']:<20} {x['agree']:>2}/{x['days']:<2} {x['place'][:28]:<28} ({x['km']} km){miss}")
    c = r["coverage"]
    print(f"\nCoverage: Syria {c['syria_km2']:,} km², cells {c['cells_km2']:,} km², land without a cell "
          f"{c['uncovered_km2']} km²; {c['days']} days of areas, largest gap to Syria's area "
          f"{c['max_area_deviation_pct']}%, days with unknown land {c['days_with_unknown_land']}")
    i = r["issue_14"]
    print("\nIssue 14's wrong changes:")
    for x in i["checks"]:
        print(f"  {'ok ' if x['right'] else 'BAD'} {x['check']:<48} {x['place'][:28]:<28} {x['shown']}")
    print(f"  IS area on 2020-02-27: {i['isis_km2_2020_02_27']:,} km², of which stale (no report for "
          f"{STALE_DAYS} days) {i['isis_stale_km2']:,} km²")
    print(f"  Afrin district on 2018-03-25: {i['afrin_district_2018_03_25']} "
          f"(Turkish-backed share {i['afrin_turkey_share']})")
    print(f"  tracker control --date 2030-01-01: exit {i['control_2030_exit_code']} {i['control_2030_stderr']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=None, help="an existing database (default: run the pipeline)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="check_control-") as tmp:
        path = args.db
        if path is None:
            path = Path(tmp) / "tracker.duckdb"
            subprocess.run([sys.executable, "-m", "tracker", "run", "--db", str(path), "--out", tmp],
                           check=True, stdout=subprocess.DEVNULL)
        con = store.connect(path, read_only=True)  # the last snapshot, without access to any other file
        try:
            db = Db(con)
            db.path = path
            r = report(db)
        finally:
            con.close()
    if args.json:
        print(json.dumps(r, default=str))
    else:
        print_report(r)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
