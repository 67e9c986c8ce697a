"""Running the pipeline over files: everything that reads, writes, plans and loops.

- :mod:`~pipeline.run.commands`: ``extract``, ``render``, ``build`` and
  ``check``, each a checklist;
- :mod:`~pipeline.run.plan`: which documents need work (the freshness rule
  itself is in :mod:`~pipeline.run.records`);
- :mod:`~pipeline.run.document`: one document's work, as a worker does it;
- :mod:`~pipeline.run.workers`: worker processes, time and memory limits;
- :mod:`~pipeline.run.pages`: ``index.html`` and ``review.html`` kept current;
- :mod:`~pipeline.run.report`: what happened to each file (``report.json``);
- :mod:`~pipeline.run.console`: what the operator sees;
- :mod:`~pipeline.run.settings`: a run's configuration, checked before any work;
- :mod:`~pipeline.run.output_folder`: every path of the output folder, its lock,
  and the guarded way to read a file back; :mod:`~pipeline.run.writing` and
  :mod:`~pipeline.run.files` write and read files safely.
"""
