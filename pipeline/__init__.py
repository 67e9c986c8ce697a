"""The leaflet pipeline: raw procedure text -> reviewed YAML -> HTML and PDF leaflets.

Stages, each in its own module and each a pure function at its heart:

1. :mod:`pipeline.normalize` - bytes -> clean text, site text removed and recorded;
2. :mod:`pipeline.extract`   - clean text -> :class:`pipeline.model.Leaflet`;
3. :mod:`pipeline.yamlio`    - leaflet <-> the YAML document reviewers edit;
4. :mod:`pipeline.render`    - leaflet -> HTML page -> PDF leaflet.

:mod:`pipeline.build` reads and writes files and loops over batches;
:mod:`pipeline.cli` only parses arguments and calls it.
"""

__version__ = "0.1.0"
