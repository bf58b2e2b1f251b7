"""Timing figures for scripts/bench.py: find and resolve every mention of ~3,000-character reports."""

from __future__ import annotations

import json
import time
from pathlib import Path


def _time(gaz, text: str, repeat: int) -> tuple[float, int]:
    """Median milliseconds to find and resolve every mention of ``text`` (as the extractor does:
    in order, places resolved before counting as nearby), and the number of mentions."""
    times = []
    ms = []
    for _ in range(repeat):
        gaz._resolver._ctx_cache.clear()  # no help from a previous run
        t = time.perf_counter()
        ms = gaz.find_mentions(text)
        nearby: list[tuple[float, float]] = []
        for m in ms:
            best = gaz.resolve_at(m, text, nearby, scored=False).best
            if best is not None and best.lat is not None and best.lat == best.lat:
                nearby.append((best.lat, best.lon))
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2] * 1000, len(ms)


def run(path: str | Path, sources_dir: str | Path, repeat: int = 20, news_per_lang: int = 8) -> dict:
    """Time finding and resolving every mention per seed report and per news excerpt (English,
    Arabic, Persian: the longest ``news_per_lang`` of each), once the gazetteer and index are loaded.

    ``path`` is the built gazetteer's folder; ``sources_dir`` holds ``seeds/`` and ``corpus/news/``.

    Returns
    -------
    dict
        ``load_s`` (first load incl. index); per seed report ``chars``, ``mentions``, ``ms`` (median of
        ``repeat`` runs); ``ms_per_3000_chars`` (seeds); ``news_ms_per_3000_chars`` per language (the
        news corpus, when present); ``worst_ms_per_3000_chars`` over both.
    """
    import gazetteer

    sources = Path(sources_dir)
    t0 = time.perf_counter()
    gaz = gazetteer.load(path)
    load_s = time.perf_counter() - t0
    reports = []
    for f in sorted((sources / "seeds").glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        med, n = _time(gaz, text, repeat)
        reports.append({"report": f.stem, "chars": len(text), "mentions": n, "ms": round(med, 2)})
    per3000 = [r["ms"] * 3000 / r["chars"] for r in reports]
    out = {"load_s": round(load_s, 2), "reports": reports,
           "ms_per_3000_chars": round(sum(per3000) / max(len(per3000), 1), 2)}
    news = sources / "corpus" / "news" / "reports.jsonl"
    if news.exists():
        by_lang: dict[str, list[str]] = {}
        for line in news.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                by_lang.setdefault(r["lang"], []).append(r["text"])
        out["news_ms_per_3000_chars"] = {}
        for lang, texts in sorted(by_lang.items()):
            texts = sorted(texts, key=len, reverse=True)[:news_per_lang]
            rates = [_time(gaz, t, max(3, repeat // 4))[0] * 3000 / len(t) for t in texts]
            out["news_ms_per_3000_chars"][lang] = round(sum(rates) / len(rates), 2)
    out["worst_ms_per_3000_chars"] = max([out["ms_per_3000_chars"], *out.get("news_ms_per_3000_chars", {}).values()])
    return out
