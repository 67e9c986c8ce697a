"""What the preview shows for one leaflet after each save, the last good page kept. Pure.

Each time a leaflet's YAML (or the styles, or its review history) changes, the
preview looks at it again: what ``leaflets check`` reports for it, and its page
made anew. :func:`look_again` turns that into the next :class:`Shown`: a YAML
that does not load, or a page that fails to render, leaves the last good page
in place and says why it is not the file as saved, in the lines ``check``
prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from pipeline.errors import LeafletFileError, PipelineError
from pipeline.model import ERROR, Diagnostic, Leaflet
from pipeline.review.check import Checked


@dataclass(frozen=True)
class Shown:
    """One leaflet as the preview shows it.

    ``problems`` are what ``check`` reports for the file as saved; ``failure``
    the lines saying why the page is not that file (empty when it is);
    ``page`` the last good page and ``leaflet`` and ``standing`` what made it
    (for the PDF). ``version`` changes whenever anything shown changes,
    ``page_version`` only when the page does.
    """

    doc_id: str
    display: str
    title: str
    problems: tuple[Diagnostic, ...] = ()
    failure: tuple[str, ...] = ()
    page: str | None = None
    leaflet: Leaflet | None = None
    standing: str | None = None
    version: int = 0
    page_version: int = 0
    updated: str = ""  # the time of day it last changed
    page_updated: str = ""  # ...and the page did

    @property
    def errors(self) -> int:
        return sum(problem.severity == ERROR for problem in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


# A page made from a leaflet and where its review stands; raises PipelineError when it cannot be made.
MakePage = Callable[[Leaflet, str], str]


def look_again(
    previous: Shown | None, doc_id: str, display: str, outcome: Checked | PipelineError,
    standing: str | None, make_page: MakePage, version: int, when: str = "",
) -> Shown:
    """The leaflet as shown after a look at its file: ``outcome`` is what checking it found, or
    why it could not be read; ``version`` the number this look gets if anything changed, at ``when``."""
    base = previous or Shown(doc_id, display, doc_id)
    if isinstance(outcome, PipelineError):
        line = outcome.diagnostic().format(display) if isinstance(outcome, LeafletFileError) else f"{display}: error: {outcome}"
        return _changed(base, replace(base, display=display, problems=(), failure=(line,)), version, when)
    problems = tuple(outcome.problems)
    if outcome.leaflet is None or standing is None:
        errors = [problem.format(display) for problem in problems if problem.severity == ERROR]
        failure = tuple(errors) or (f"{display}: error: not a leaflet",)
        return _changed(base, replace(base, display=display, problems=problems, failure=failure), version, when)
    try:
        page = make_page(outcome.leaflet, standing)
    except PipelineError as error:
        failure = (f"{display}: error: {error}",)
        return _changed(base, replace(base, display=display, problems=problems, failure=failure), version, when)
    now = replace(
        base, display=display, title=outcome.leaflet.title, problems=problems, failure=(),
        page=page, leaflet=outcome.leaflet, standing=standing,
    )
    if page != base.page:
        now = replace(now, page_version=version, page_updated=when)
    return _changed(base, now, version, when)


def _changed(before: Shown, after: Shown, version: int, when: str) -> Shown:
    """``after`` with the new version if anything shown differs from ``before``, else ``before`` as it was."""
    def seen(shown: Shown) -> tuple[object, ...]:
        return (shown.display, shown.title, shown.problems, shown.failure, shown.page, shown.page_version,
                shown.leaflet, shown.standing)

    same = seen(before) == seen(after)
    return before if same and before.version else replace(after, version=version, updated=when)
