"""Mentions made by the index (instance dict filled at once) behave as ones made by Mention()."""

import dataclasses

import pandas as pd
import pytest

from gazetteer.index import Mention, MentionIndex


@pytest.fixture(scope="module")
def small() -> MentionIndex:
    rows = [("p1", "حطلة", ["حطلة", "Hatla"]), ("p3", "الميادين", ["الميادين", "Mayadin", "al-Mayadin"]),
            ("p4", "مراط", ["مراط"]), ("p6", None, ["Maksar al-Shamali"])]
    df = pd.DataFrame(rows, columns=["place_id", "name_ar", "alt_names"]).set_index("place_id", drop=False)
    return MentionIndex(df)


def test_found_mentions_equal_constructed_ones(small: MentionIndex) -> None:
    text = "سيطر على حطلة تحتاني وللميادين وقرى مراط ومكسر الشمالي"
    ms = small.find(text)
    assert {m.via for m in ms} == {"name", "skeleton"}
    for m in ms:
        made = Mention(*(getattr(m, f.name) for f in dataclasses.fields(Mention)))
        assert m == made and hash(m) == hash(made) and repr(m) == repr(made)
        assert dataclasses.asdict(m) == dataclasses.asdict(made)
        assert dataclasses.replace(m) == m
        with pytest.raises(dataclasses.FrozenInstanceError):
            m.start = 0
