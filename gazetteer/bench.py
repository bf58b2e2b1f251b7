"""Timing figures for scripts/bench.py: find and resolve every mention of ~3,000-character reports."""

from __future__ import annotations

import time
from pathlib import Path


def run(path: str | Path | None = None, repeat: int = 20) -> dict:
    """Time ``find_mentions`` + ``resolve`` per seed report, once the gazetteer and index are loaded.

    Returns
    -------
    dict
        ``load_s`` (first load incl. index), and per report ``chars``, ``mentions``, ``ms`` (median of
        ``repeat`` runs of finding and resolving every mention), plus ``ms_per_3000_chars``.
    """
    import gazetteer
    from gazetteer.resolve import Context
    from tracker import settings

    t0 = time.perf_counter()
    gaz = gazetteer.load(path)
    load_s = time.perf_counter() - t0
    reports = []
    for f in sorted((settings.sources_dir() / "seeds").glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        times = []
        for _ in range(repeat):
            gaz._resolver._ctx_cache.clear()  # no help from a previous run
            t = time.perf_counter()
            ms = gaz.find_mentions(text)
            ctx = Context(text=text)
            for m in ms:
                gaz.resolve(m, ctx)
            times.append(time.perf_counter() - t)
        times.sort()
        med = times[len(times) // 2] * 1000
        reports.append({"report": f.stem, "chars": len(text), "mentions": len(ms), "ms": round(med, 2)})
    per3000 = [r["ms"] * 3000 / r["chars"] for r in reports]
    return {"load_s": round(load_s, 2), "reports": reports,
            "ms_per_3000_chars": round(sum(per3000) / max(len(per3000), 1), 2)}
