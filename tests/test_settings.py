"""Settings: the default inputs of ``tracker run``."""

from __future__ import annotations

from tracker import settings


def test_default_inputs_are_the_seeds_the_articles_and_the_news_reports():
    names = [p.relative_to(settings.sources_dir()).as_posix() for p in settings.default_inputs()]
    assert names == ["seeds", "corpus/wikipedia/articles", "corpus/news/reports.jsonl"]
