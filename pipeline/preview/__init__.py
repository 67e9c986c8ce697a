"""Preview stage: ``leaflets preview``, a local web server showing leaflets as they are edited.

- :mod:`pipeline.preview.paths`     - which URL names what; paths that could lead outside refused (pure);
- :mod:`pipeline.preview.shown`     - one leaflet as shown after a save, the last good page kept (pure);
- :mod:`pipeline.preview.pages`     - the list and workbench pages, script and stylesheet (pure);
- :mod:`pipeline.preview.workbench` - the previewed leaflets as shown now, looked at again on change;
- :mod:`pipeline.preview.watching`  - what a change on disk means, and the watcher (``watchfiles``);
- :mod:`pipeline.preview.pdf_worker` - the warm worker process that makes PDFs on request;
- :mod:`pipeline.preview.server`    - the HTTP server (``ThreadingHTTPServer``) and update streams;
- :mod:`pipeline.preview.command`   - the command: start all of it, stop it on Ctrl-C.

The preview only reads: pages and PDFs are made in memory, the output folder
is neither taken nor written, and no review transition is logged.
"""
