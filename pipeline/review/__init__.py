"""Review: what a clinical reviewer is told about a leaflet YAML, and what protects their work.

- :mod:`pipeline.review.check`: every problem of a YAML file with its line and
  column (``leaflets check``), schema errors said as "expected X, got Y" and
  content lints (empty sections, site text, review dates, plain language);
- :mod:`pipeline.review.readability`: reading grades of a leaflet and of a sentence;
- :mod:`pipeline.review.sentences`: a leaflet's hardest and long passive sentences,
  the few that are marked;
- :mod:`pipeline.review.plain_language`: medical terms left unexplained, "the patient",
  the passive voice;
- :mod:`pipeline.review.approval`: what an approval covers (a fingerprint of
  the content) and where a leaflet stands: approved, changed since approval,
  reviewed or draft;
- :mod:`pipeline.review.ownership`: whose a YAML is (the pipeline's or a
  person's), and what a fresh extraction may do to it;
- :mod:`pipeline.review.rows` and :mod:`pipeline.review.review_page`:
  ``review.html``, the dashboard of every leaflet's status and of proposed updates.
"""
