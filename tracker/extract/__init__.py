"""Claims from reports: who did what where and when, with the words that say so.

The package reads a report in stages, one module each:

- :mod:`.lexicon`: every word the grammar knows (data files ``data/lexicon_*.toml``, ``data/actors.toml``);
- :mod:`.segment`: sentences, the headline and captions;
- :mod:`.actors`: actor phrases and the side each stands for;
- :mod:`.places`: place mentions and their resolution with the gazetteer;
- :mod:`.chunks`: a sentence as a list of chunks;
- :mod:`.grammar`: frames (who did what to which place) by construction, per language;
- :mod:`.dating` and :mod:`.status`: when, and whether the report asserts it;
- :mod:`.report`: one report's claims; :mod:`.stage`: the pipeline stage; :mod:`.bench`: timing.

Public API::

    from tracker.extract import extract_report, load_gazetteer
    claims = extract_report(report, load_gazetteer())
"""

from tracker.extract.lexicon import lexicon
from tracker.extract.report import extract_report
from tracker.extract.stage import claim_id, extract_reports, load_gazetteer, prepare, store_claims
from tracker.textfold import fold

__all__ = ["extract_report", "extract_reports", "load_gazetteer", "prepare", "store_claims", "claim_id", "fold",
           "lexicon"]
