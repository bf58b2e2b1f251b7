"""Timing of the extractor on realistic reports (``scripts/bench.py extract``)."""

from __future__ import annotations

import json
import random
import time
from datetime import date, timedelta
from typing import Any

from tracker.extract.report import extract_report
from tracker.extract.stage import prepare
from tracker.records import Report


def bench_reports(n: int = 1000, chars: int = 3000) -> list[Report]:
    """``n`` reports of about ``chars`` characters made of real texts.

    Each report joins excerpts of one language from the news corpus and the seed reports of the sources
    directory (``corpus/news/reports.jsonl``, ``seeds/``), drawn with a fixed seed, so the mix of
    languages, styles and sentence shapes is that of real reporting. Publication dates vary so relative
    dates resolve differently.
    """
    from tracker import settings  # noqa: PLC0415  (only the benchmark reads the sources)

    sources = settings.sources_dir()
    by_lang: dict[str, list[str]] = {}
    news = sources / "corpus" / "news" / "reports.jsonl"
    if news.exists():
        for line in news.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_lang.setdefault(row["lang"], []).append(row["text"])
    meta = sources / "seeds" / "meta.jsonl"
    if meta.exists():
        for line in meta.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_lang.setdefault(row.get("lang", "ar"), []).append(
                    (sources / "seeds" / row["file"]).read_text(encoding="utf-8"))
    if not by_lang:
        raise FileNotFoundError(f"no reports to time under {sources} (corpus/news, seeds)")
    rng = random.Random(1000)
    langs = sorted(by_lang)
    weights = [len(by_lang[lang]) for lang in langs]
    out = []
    for i in range(n):
        lang = rng.choices(langs, weights)[0]
        parts: list[str] = []
        while sum(len(p) for p in parts) < chars:
            parts.append(rng.choice(by_lang[lang]))
        body = "\n".join(parts)[:chars]
        cut = body.rfind(" ")
        body = body[:cut] if cut > chars * 0.9 else body
        out.append(Report(report_id=f"bench{i}", text=body, lang=lang, version=1,
                          published=date(2017, 10, 15) - timedelta(days=i % 400)))
    return out


def bench(n: int = 1000, chars: int = 3000, gazetteer: Any | None = None) -> dict[str, Any]:
    """Time the extraction of ``n`` realistic reports of about ``chars`` characters on one core.

    Returns
    -------
    dict
        ``seconds`` (CPU time of the extraction), ``reports``, ``reports_per_second``, ``claims`` and
        ``load_seconds`` (:func:`tracker.extract.prepare`, timed apart as loading the gazetteer is).
    """
    reports = bench_reports(n, chars)
    t0 = time.process_time()
    prepare()
    loading = time.process_time() - t0
    t0 = time.process_time()
    found = sum(len(extract_report(r, gazetteer)) for r in reports)
    elapsed = max(time.process_time() - t0, 1e-9)
    return {"seconds": round(elapsed, 3), "reports": n, "reports_per_second": round(n / elapsed, 1),
            "claims": found, "load_seconds": round(loading, 3)}
