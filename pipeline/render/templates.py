"""The Jinja2 side of rendering: the sandbox every template runs in, the loader that serves
templates only from inside the styles folders, and how a template error becomes one line.

A styles folder may come from someone else, so its templates are not trusted:
they run in Jinja2's sandbox (no access to Python internals, so no code run on
the build machine, and no text or number too large to hold) and may include,
import or extend only files inside the styles folders (:class:`StylesLoader`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import jinja2
import jinja2.runtime
import jinja2.sandbox
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from pipeline.errors import ConfigError, PipelineError
from pipeline.render.styles import StylesFolders
from pipeline.run.files import display_path


def css_string(value: object) -> Markup:
    """``value`` as the inside of a double-quoted CSS string."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return Markup(text)


def autoescape(template_name: str | None) -> bool:
    # Every HTML template is escaped; the stylesheet is CSS, filled from the trusted theme.
    return template_name is None or not template_name.endswith(".css")


class StylesLoader(jinja2.BaseLoader):
    """Templates from the styles folders, first folder winning, read like any other styles file.

    A name with ``..``, or an entry that is a link leading outside its folder,
    a pipe, a device or over the size limit, is a :class:`ConfigError`
    (see :meth:`StylesFolders.read`); the link is never followed.
    """

    def __init__(self, styles: StylesFolders):
        self.styles = styles

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, None]:
        found = self.styles.read(template)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        path, content = found
        try:
            source = content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ConfigError(f"{display_path(path)}: not UTF-8 text: {error.reason} at byte {error.start}") from None
        return source, str(path), None  # no up-to-date check: templates are read once per run


def template_error(error: jinja2.TemplateError, name: str) -> str:
    """One line: a syntax error's text would add its location and source line on lines of their own."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name or name}:{error.lineno}: template error: {error.message}"
    return f"template {name}: {error}"


@contextmanager
def page_fails_on_error(name: str) -> Iterator[None]:
    """A template error while a page is made (an unsafe attribute, a refused include,
    a macro calling itself for ever) fails that page only."""
    try:
        yield
    except jinja2.TemplateError as error:
        raise PipelineError(template_error(error, name)) from None
    except ConfigError as error:  # from the loader: an include or import refused at render time
        raise PipelineError(f"template {name}: {error}") from None
    except RecursionError:
        raise PipelineError(f"template {name}: calls itself without end (too deep)") from None
    except MemoryError:
        raise PipelineError(f"template {name}: makes a page too large for memory") from None


# Longest text or list a template may make with "*", and the largest power with "**".
MAX_PRODUCT_LENGTH = 1_000_000
MAX_EXPONENT = 1_000


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox, which also refuses ``"x" * 10**9`` and ``10**10**10``.

    Both operators are intercepted, so they are checked when the page is made
    and never worked out ahead when the template is compiled (in the main
    process, where no per-document memory limit applies).
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: object, right: object) -> object:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise jinja2.sandbox.SecurityError(f"a power above {MAX_EXPONENT} is not allowed in a template")
        if operator == "*" and _product_length(left, right) > MAX_PRODUCT_LENGTH:
            raise jinja2.sandbox.SecurityError(f"text or a list longer than {MAX_PRODUCT_LENGTH:,} is not allowed")
        return super().call_binop(context, operator, left, right)


def _product_length(left: object, right: object) -> int:
    """How long ``left * right`` would be when it repeats a text or a list (else 0)."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
            return len(sequence) * times
    return 0
