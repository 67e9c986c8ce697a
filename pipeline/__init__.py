"""The leaflet pipeline: raw procedure text -> reviewed YAML -> HTML and PDF leaflets.

A folder per stage, each a pure function at its heart:

1. :mod:`pipeline.normalize` - bytes -> clean lines, site text removed and recorded;
2. :mod:`pipeline.extract`   - clean lines -> :class:`pipeline.model.Leaflet`;
3. :mod:`pipeline.render`    - leaflet -> HTML page -> PDF leaflet.

Beside them: :mod:`pipeline.model` (the data every stage speaks) and
:mod:`pipeline.yamlio` (leaflet <-> the YAML reviewers edit), :mod:`pipeline.lines`
(what one line of text is, shared by normalize and extract), :mod:`pipeline.config`
(heading and site-text tables, the schema), :mod:`pipeline.review` (check, review
page, whose a YAML is) and :mod:`pipeline.run` (commands, workers, the output
folder: everything that reads and writes files). :mod:`pipeline.cli` only
parses arguments and calls one function.
"""

__version__ = "0.1.0"
