"""The render stage's HTML: structure, wording, theme, styles override, resource fetching."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.errors import ConfigError, PipelineError
from pipeline.model import Block, Contact, Item, Review
from pipeline.render import (
    BUILTIN_STYLES,
    Renderer,
    RenderOptions,
    StylesFolders,
    renderer_for,
)
from pipeline.render.pdf import RefusedResource, StylesFetcher
from pipeline.render.templates import css_string
from pipeline.render.theme import contrast_ratio
from pipeline.render.views import block_views, left_out, section_views
from tests.support.rendering import (
    DRAFT_MARK,
    reviewed,
    rich_leaflet,
    sample_ids,
    sample_leaflet,
)


class Outline(HTMLParser):
    """Tags in document order, with attributes and the text inside each heading."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self._heading: str | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3"):
            self._heading, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self._text.append(data)

    def names(self) -> list[str]:
        return [tag for tag, _ in self.tags]


def without_style(html: str) -> str:
    return re.sub(r"<style>.*?</style>", "", html, flags=re.S)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return renderer_for(RenderOptions())


# -- what a page is made of --------------------------------------------------


def test_bullets_split_into_plain_and_labelled_runs_and_steps_stay_one_list():
    views = block_views(rich_leaflet().section("preparation") + rich_leaflet().section("procedure"))
    assert [view.kind for view in views] == ["ul", "dl", "ul", "p", "ol"]
    assert [item.label for item in views[1].items] == ["Transport", "Clothing"]
    assert [item.text for item in views[4].items] == ["You lie on your side.", "A numbing gel is applied."]


def test_blank_blocks_and_empty_lists_are_dropped():
    assert block_views((Block("paragraph", text=" "), Block("bullets"), Block("steps"))) == ()


def test_sections_in_canonical_order_then_extras_and_empty_ones_omitted(renderer):
    views = section_views(rich_leaflet(), renderer.theme)
    assert [view.heading for view in views] == [
        "What is this procedure?",
        "How do I prepare?",
        "What happens during the procedure?",
        "When should I get urgent help?",  # the theme's general text, as the leaflet has none of its own
        "Who can I contact?",  # the theme's contact details (or its fallback text) on every leaflet
        "Questions to ask",
    ]
    assert [view.anchor for view in views] == ["summary", "preparation", "procedure", "urgent-help", "contact", "extra-1"]


@pytest.mark.parametrize("doc_id", sample_ids())
def test_page_structure_for_each_sample(renderer, doc_id):
    leaflet = sample_leaflet(doc_id)
    html = renderer.render_html(leaflet)
    outline = Outline(html)
    names = outline.names()

    assert html.startswith("<!DOCTYPE html>")
    assert ("html", {"lang": "en"}) in outline.tags
    assert f"<title>{leaflet.title} - Example Hospital</title>" in html
    for landmark in ("header", "main", "footer", "section"):
        assert landmark in names
    assert names.index("header") < names.index("main") < names.index("footer")
    assert outline.headings[0] == ("h1", leaflet.title)
    expected = [
        renderer.theme.heading(key) for key in renderer.theme.order  # a patient's order, theme data
        if any(b.text or b.items for b in leaflet.section(key)) or key in ("urgent_help", "contact")  # theme text if none
    ]
    assert outline.headings[1] == ("h2", "On this page")  # the contents, for the screen
    assert [text for tag, text in outline.headings[2:-1]] == expected
    assert outline.headings[-1] == ("h2", "About this leaflet")
    assert "script" not in names and "link" not in names


def test_lists_are_real_lists(renderer):
    outline = Outline(renderer.render_html(rich_leaflet()))
    names = outline.names()
    assert {"ul", "ol", "li"} <= set(names)
    html = renderer.render_html(rich_leaflet())
    # labelled items: the label run in at the start of its text, one entry each
    assert '<ul class="labelled">\n<li><strong class="item-label">Transport:</strong> Ask someone to drive you home.</li>' in html
    assert '<li><strong class="item-label">Comfort:</strong> A numbing gel is applied.</li>' in html
    assert "Questions to ask" in html and "Empty extra" not in html
    assert "Risks" not in without_style(html)


def test_names_block_shows_also_known_as_and_medical_term(renderer):
    leaflet = sample_leaflet(sample_ids()[-1])
    html = renderer.render_html(leaflet)
    assert "<dt>Also known as</dt>" in html
    assert ", ".join(leaflet.also_known_as) in html
    assert f"<dd>{leaflet.technical_term}</dd>" in html


def test_draft_is_marked_at_the_top(renderer):
    html = renderer.render_html(sample_leaflet(sample_ids()[0]))
    body = html[html.index("<body") :]
    assert DRAFT_MARK in body
    assert body.index(DRAFT_MARK) < body.index("<main>")
    assert "Status</dt>\n<dd class=\"status-draft\">Draft - not clinically reviewed</dd>" in html
    assert "Last reviewed</dt>\n<dd>not yet</dd>" in html


def test_reviewed_leaflet_has_no_draft_mark_and_shows_its_dates(renderer):
    html = without_style(renderer.render_html(reviewed(sample_leaflet(sample_ids()[0]))))
    assert DRAFT_MARK not in html and "draft-banner" not in html
    assert "Clinically reviewed and approved" in html
    assert "<dd>5 March 2025</dd>" in html
    assert "<dd>1 March 2027</dd>" in html
    assert '<meta name="dcterms.modified" content="2025-03-05">' in html
    assert "Dr Example" not in html and "internal note" not in html


def test_footer_has_the_publication_details(renderer):
    leaflet = sample_leaflet(sample_ids()[0])
    html = renderer.render_html(leaflet)
    footer = html[html.index('<footer class="page-footer">') :]
    assert "Example Hospital" in footer
    assert f"<dt>Reference</dt>\n<dd>EXH-{leaflet.id}-v1</dd>" in footer  # the theme's prefix and format
    assert "<dt>Version</dt>\n<dd>1</dd>" in footer
    assert "<dt>Published</dt>\n<dd>not yet published (not approved)</dd>" in footer  # a draft
    assert "<strong>Other formats:</strong> This leaflet is also available in large print." in footer
    assert "<strong>Feedback:</strong> Tell us what you think of this leaflet" in footer


def test_an_approved_leaflet_is_published_on_its_approval_date_with_its_version_and_sources(renderer):
    leaflet = dataclasses.replace(
        sample_leaflet(sample_ids()[0]),
        review=Review("approved", "Dr Example", dt.date(2025, 3, 5), dt.date(2027, 3, 1), version=3),
        sources=("National guidance on salivary gland care, 2024",),
    )
    footer = renderer.render_html(leaflet, today=dt.date(2026, 1, 1)).split('<footer class="page-footer">')[1]
    assert "<dt>Published</dt>\n<dd>5 March 2025</dd>" in footer
    assert f"<dd>EXH-{leaflet.id}-v3</dd>" in footer and "<dt>Version</dt>\n<dd>3</dd>" in footer
    sources = renderer.render_html(leaflet, today=dt.date(2026, 1, 1)).split('id="sources"')[1].split("</section>")[0]
    assert "Where does this information come from?" in sources  # a section of its own, not in the small print
    assert "<li>National guidance on salivary gland care, 2024</li>" in sources
    assert "Past its review date" not in renderer.render_html(leaflet, today=dt.date(2026, 1, 1))


def test_a_leaflet_past_its_review_date_says_so_on_the_page(renderer):
    leaflet = dataclasses.replace(
        sample_leaflet(sample_ids()[0]), review=Review("approved", "Dr Example", dt.date(2024, 3, 5), dt.date(2025, 3, 1)),
    )
    html = renderer.render_html(leaflet, today=dt.date(2025, 3, 2))
    banner = html[html.index('class="draft-banner overdue-banner"'): html.index("<main")]
    assert "Past its review date" in banner and "Next review due: 1 March 2025" in banner
    assert "<dd class=\"status-draft\">1 March 2025 (Past its review date)</dd>" in html
    assert "overdue-banner" not in renderer.render_html(leaflet, today=dt.date(2025, 3, 1))  # due that day: not yet


def test_contact_details_come_from_the_theme_and_a_leaflet_may_give_its_own(renderer, tmp_path):
    html = renderer.render_html(sample_leaflet(sample_ids()[0]))
    contact = html[html.index('id="contact"'): html.index("</section>", html.index('id="contact"'))]
    assert "Contact the team looking after you." in contact  # the built-in theme knows no number: its fallback
    own = dataclasses.replace(sample_leaflet(sample_ids()[0]), contact=Contact(
        department="Mouth and jaw clinic", phone="0100 496 0123", hours="Weekdays, 8am to 6pm",
        email="jaw.clinic@example.org",
    ))
    html = renderer.render_html(own)
    contact = html[html.index('id="contact"'): html.index("</section>", html.index('id="contact"'))]
    assert '<li><strong class="item-label">Team:</strong> Mouth and jaw clinic</li>' in contact
    assert '<li><strong class="item-label">Phone:</strong> <a href="tel:01004960123">0100 496 0123</a></li>' in contact
    assert '<li><strong class="item-label">Open:</strong> Weekdays, 8am to 6pm</li>' in contact
    assert '<a href="mailto:jaw.clinic@example.org">jaw.clinic@example.org</a>' in contact
    assert "Contact the team looking after you." not in contact


def test_a_leaflet_that_would_print_no_way_to_reach_anyone_is_named(renderer, tmp_path):
    (tmp_path / "theme.yaml").write_text("contact_fallback: null\n", "utf-8")
    silent = Renderer(RenderOptions(styles=tmp_path)).theme
    leaflet = sample_leaflet(sample_ids()[0])
    note = "no contact details are printed"
    assert not [line for line in left_out(leaflet, renderer.theme) if note in line]  # the built-in fallback sentence
    assert [line for line in left_out(leaflet, silent) if line.startswith(note)]
    own = dataclasses.replace(leaflet, contact=Contact(phone="0100 496 0123"))
    assert not [line for line in left_out(own, silent) if note in line]


def test_metadata_for_the_pdf(renderer):
    leaflet = sample_leaflet(sample_ids()[0])
    html = renderer.render_html(leaflet)
    assert '<meta name="author" content="Example Hospital">' in html
    assert f'<meta name="description" content="{leaflet.code.descriptor} (CPT4)">' in html
    assert '<meta name="generator" content="leaflet pipeline' in html


def test_page_is_standalone(renderer):
    html = renderer.render_html(sample_leaflet(sample_ids()[0]))
    urls = re.findall(r'url\("([^"]+)"\)', html) + re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "expected fonts and logo"
    for url in urls:
        assert not re.match(r"[a-z]+:", url), url  # relative: works offline from output/html/
        if url.startswith("#"):
            assert f'id="{url[1:]}"' in html  # the contents' jump links
            continue
        assert url.startswith("assets/")
        assert (BUILTIN_STYLES / url).is_file()
    assert "Content-Security-Policy" in html


def test_text_is_escaped(renderer):
    leaflet = dataclasses.replace(
        sample_leaflet(sample_ids()[0]),
        title='Tom & Jerry <b>"bold"</b>',
        sections={"summary": (Block("paragraph", text="{{ 7*7 }} {% raw %} <i>x</i>"),)},
        extra_sections=(),
    )
    html = renderer.render_html(leaflet)
    assert "<title>Tom &amp; Jerry &lt;b&gt;&#34;bold&#34;&lt;/b&gt; - Example Hospital</title>" in html
    assert "{{ 7*7 }} {% raw %} &lt;i&gt;x&lt;/i&gt;" in html
    assert "49" not in html and "<i>" not in html


def test_large_print_and_page_size_reach_the_stylesheet():
    large = Renderer(RenderOptions(page_size="letter", large_print=True))
    css = large.stylesheet()
    assert "size: letter;" in css
    assert "font-size: 17pt;" in css
    assert '<html lang="en" class="large-print">' in large.render_html(sample_leaflet(sample_ids()[0]))
    assert "size: A4;" in renderer_for(RenderOptions()).stylesheet()


def test_unknown_page_size_is_a_configuration_error():
    with pytest.raises(ConfigError, match="page size: expected one of a4, letter, got 'a5'"):
        Renderer(RenderOptions(page_size="a5"))


# -- theme -------------------------------------------------------------------


def test_builtin_theme_colours_reach_aa_contrast(renderer):
    colours = renderer.theme.colours
    assert contrast_ratio(colours["text"], colours["background"]) >= 4.5
    assert contrast_ratio(colours["draft_text"], colours["draft_background"]) >= 4.5


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_theme_override_merges_with_builtin(tmp_path):
    (tmp_path / "theme.yaml").write_text(
        "organisation: St Elsewhere\nphone: 0100 496 0000\nwebsite: https://example.org/leaflets\n"
        "sections:\n  risks: What could go wrong?\ncolours:\n  accent: '#7a0045'\n",
        "utf-8",
    )
    renderer = Renderer(RenderOptions(styles=tmp_path))
    leaflet = sample_leaflet(sample_ids()[0])
    html = renderer.render_html(leaflet)
    assert "St Elsewhere" in html and "Example Hospital" not in html
    assert "What could go wrong?" in html
    assert "Why is it done?" in html  # keys not overridden keep the built-in wording
    # the older top-level phone and website fill the contact section, each on a line of its own
    assert '<li><strong class="item-label">Phone:</strong> <a href="tel:01004960000">0100 496 0000</a></li>' in html
    assert ('<li><strong class="item-label">Website:</strong> '
            '<a href="https://example.org/leaflets">https://example.org/leaflets</a></li>') in html
    assert "color: #7a0045;" in html


def test_theme_problems_are_reported_together(tmp_path):
    (tmp_path / "theme.yaml").write_text(
        "colours:\n  text: blue\n  muted: '#cccccc'\nlabels:\n  pagee: Page\nlogo: assets/missing.png\nlanguage: 42\n",
        "utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        Renderer(RenderOptions(styles=tmp_path))
    message = str(caught.value)
    assert "colours.text: expected a colour like #1b1b1b, got 'blue'" in message
    assert "labels.pagee: unknown key" in message
    assert "logo: no file 'assets/missing.png' in the styles folders" in message
    assert "language: expected a language tag such as en or en-GB, got 42" in message
    assert "\n" not in message


def test_a_theme_text_with_a_hidden_character_is_refused(tmp_path):
    (tmp_path / "theme.yaml").write_text(
        'organisation: "St Elsewhere \\u202eNHS"\ncontact:\n  hours: "9 to 5\\x07"\nlabels:\n  page: "Page\\u2066"\n', "utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        Renderer(RenderOptions(styles=tmp_path))
    message = str(caught.value)
    assert "organisation: a text-direction character (U+202E RIGHT-TO-LEFT OVERRIDE)" in message
    assert "contact.hours: a control character (U+0007)" in message
    assert "labels.page: a text-direction character (U+2066 LEFT-TO-RIGHT ISOLATE)" in message


def test_low_contrast_theme_is_refused(tmp_path):
    (tmp_path / "theme.yaml").write_text("colours:\n  muted: '#aaaaaa'\n", "utf-8")
    with pytest.raises(ConfigError, match=r"colours.muted on colours.background: expected contrast of at least 4.5:1, got 2.32:1"):
        Renderer(RenderOptions(styles=tmp_path))


def test_broken_theme_yaml_names_the_place(tmp_path):
    (tmp_path / "theme.yaml").write_text("organisation: [unclosed\n", "utf-8")
    with pytest.raises(ConfigError, match=r"theme.yaml:2:1: invalid YAML"):
        Renderer(RenderOptions(styles=tmp_path))


# -- styles override ---------------------------------------------------------


def test_template_override_is_searched_first(tmp_path):
    (tmp_path / "parts.html").write_text(
        (BUILTIN_STYLES / "parts.html").read_text("utf-8").replace("<p>{{ block.text }}</p>", '<p class="custom">{{ block.text }}</p>'),
        "utf-8",
    )
    html = Renderer(RenderOptions(styles=tmp_path)).render_html(sample_leaflet(sample_ids()[0]))
    assert '<p class="custom">' in html
    assert "<h1" in html  # the other templates still come from the built-in folder


def test_stylesheet_override_is_used_for_page_and_pdf(tmp_path):
    css = (BUILTIN_STYLES / "leaflet.css").read_text("utf-8") + "\n.leaflet-title { letter-spacing: 0.1em; }\n"
    (tmp_path / "leaflet.css").write_text(css, "utf-8")
    renderer = Renderer(RenderOptions(styles=tmp_path))
    assert "letter-spacing: 0.1em" in renderer.render_html(sample_leaflet(sample_ids()[0]))


def test_broken_template_override_is_a_configuration_error(tmp_path):
    (tmp_path / "index.html").write_text("{% if %}\n", "utf-8")
    with pytest.raises(ConfigError, match=r"index.html:1: template error"):
        Renderer(RenderOptions(styles=tmp_path))


def test_missing_styles_folder_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="styles folder not found"):
        Renderer(RenderOptions(styles=tmp_path / "nope"))


def test_assets_come_from_the_override_first(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    assets = Renderer(RenderOptions(styles=tmp_path)).assets()
    assert assets["assets/logo.svg"] == (tmp_path / "assets" / "logo.svg").resolve()
    assert assets["assets/fonts/AtkinsonHyperlegible-Regular.ttf"].is_relative_to(BUILTIN_STYLES.resolve())
    assert "assets/fonts/OFL.txt" in assets


# -- the URL fetcher ---------------------------------------------------------


def test_fetcher_serves_files_of_the_styles_folders():
    styles = StylesFolders()
    fetcher = StylesFetcher(styles)
    response = fetcher.fetch(styles.base_url + "assets/fonts/AtkinsonHyperlegible-Regular.ttf")
    assert response.read() == (BUILTIN_STYLES / "assets/fonts/AtkinsonHyperlegible-Regular.ttf").read_bytes()
    assert fetcher.fetch(styles.base_url + "assets/logo.svg").content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.css",
        "https://example.org/font.ttf",
        "ftp://example.org/x",
        "data:text/css,body{}",
        "file:///etc/passwd",
        "file://otherhost" + BUILTIN_STYLES.resolve().as_posix() + "/theme.yaml",
        "BASE../pipeline/render.py",
        "BASEassets/../../pipeline/render.py",
        "BASEassets/%2e%2e/%2e%2e/pipeline/render.py",
        "BASEassets/no-such-file.ttf",
        "BASEassets",
    ],
)
def test_fetcher_refuses_everything_else(url):
    styles = StylesFolders()
    with pytest.raises(RefusedResource, match="refused to load"):
        StylesFetcher(styles).fetch(url.replace("BASE", styles.base_url))


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_fetcher_does_not_follow_symlinks_out_of_the_styles_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", "utf-8")
    styles_dir = tmp_path / "styles"
    (styles_dir / "assets").mkdir(parents=True)
    (styles_dir / "assets" / "link.txt").symlink_to(secret)
    styles = StylesFolders(styles_dir)
    with pytest.raises(RefusedResource):
        StylesFetcher(styles).fetch(styles_dir.resolve().as_uri() + "/assets/link.txt")
    assert "assets/link.txt" not in styles.assets()


def test_a_template_asking_for_a_remote_resource_fails_that_leaflet(tmp_path):
    (tmp_path / "parts.html").write_text(
        (BUILTIN_STYLES / "parts.html").read_text("utf-8").replace(
            "<p>{{ block.text }}</p>", '<p>{{ block.text }}<img src="https://example.org/pixel.png" alt="x"></p>'
        ),
        "utf-8",
    )
    renderer = Renderer(RenderOptions(styles=tmp_path))
    with pytest.raises(PipelineError, match=r"refused to load https://example.org/pixel.png"):
        renderer.render(sample_leaflet(sample_ids()[0]))


def test_css_string_escapes_quotes_backslashes_and_markup():
    assert css_string('Say "hi" \\ </style>') == 'Say \\"hi\\" \\\\ \\3c /style>'


def test_renderer_is_reused_per_options():
    assert renderer_for(RenderOptions()) is renderer_for(RenderOptions())
    assert renderer_for(RenderOptions(large_print=True)) is not renderer_for(RenderOptions())


def test_items_with_labels_in_steps_keep_their_order(renderer):
    leaflet = dataclasses.replace(
        rich_leaflet(),
        sections={"procedure": (Block("steps", items=tuple(Item(f"Step {n}.", label="L" if n % 2 else None) for n in range(1, 6))),)},
        extra_sections=(),
    )
    html = renderer.render_html(leaflet)
    ordered = re.findall(r"Step (\d)\.", html)
    assert ordered == ["1", "2", "3", "4", "5"]
    assert html.count("<ol>") == 1


def test_paths_are_never_written_into_the_page(renderer):
    html = renderer.render_html(sample_leaflet(sample_ids()[0]))
    assert str(Path.cwd()) not in html and str(BUILTIN_STYLES) not in html


@pytest.mark.parametrize(
    ("label", "printed"),
    [("Involved Professionals", "Involved professionals"), ("Timeframe for Benefits", "Timeframe for benefits"),
     ("Post-Procedure Care", "Post-procedure care"), ("ENT Specialist Visit", "ENT specialist visit"),
     ("Goals", "Goals"), ("Patient criteria", "Patient criteria")],
)
def test_labels_are_printed_in_sentence_case(label, printed):
    from pipeline.render.views import sentence_case

    assert sentence_case(label) == printed


def test_a_label_that_repeats_its_section_heading_is_printed_once(renderer):
    leaflet = dataclasses.replace(
        sample_leaflet(sample_ids()[0]),
        sections={"alternatives": (Block("bullets", items=(Item("Medicines or a splint.", label="What Are the Other Options"),)),)},
    )
    html = renderer.render_html(leaflet)
    section = html[html.index('<h2 id="alternatives">'): html.index("</section>", html.index('<h2 id="alternatives">'))]
    assert section.count("What are the other options?") == 1 and "Medicines or a splint." in section


def test_a_trust_can_reorder_the_sections_and_an_order_missing_one_is_refused(tmp_path):
    order = ["urgent_help", *[key for key in Renderer(RenderOptions()).theme.order if key != "urgent_help"]]
    (tmp_path / "theme.yaml").write_text(f"order: [{', '.join(order)}]\n", "utf-8")
    views = section_views(sample_leaflet(sample_ids()[0]), Renderer(RenderOptions(styles=tmp_path)).theme)
    assert views[0].key == "urgent_help"
    (tmp_path / "theme.yaml").write_text("order: [summary, risks]\n", "utf-8")
    with pytest.raises(ConfigError, match="order: expected every section once"):
        Renderer(RenderOptions(styles=tmp_path)).theme


@pytest.mark.parametrize(
    ("field", "value"),
    [("website", "javascript:alert(1)"), ("email", "x@y\" onmouseover=\"alert(1)"), ("phone", "call javascript:alert(1)"),
     ("website", "https://evil.example/\u202egro.shn.www"),  # shows as .../www.nhs.org: text-direction characters refused
     ("email", "mailto:a@b.example"), ("phone", "0100 496 0000\n"), ("department", "\u202eEvil")],
)
def test_a_contact_field_not_in_its_form_is_never_a_link_and_check_names_it(renderer, field, value):
    from pipeline.review.check import check_text
    from pipeline.yamlio import dump_leaflet

    leaflet = dataclasses.replace(sample_leaflet(sample_ids()[0]), contact=Contact(**{field: value}))
    html = renderer.render_html(leaflet)
    assert 'href="javascript' not in html and 'href="mailto:x@y' not in html and 'href="tel:' not in html
    assert 'href="mailto:mailto' not in html
    errors = [p.message for p in check_text(dump_leaflet(leaflet), dt.date(2026, 1, 1)) if p.severity == "error"]
    # A text-direction character is refused wherever it stands, before the field's form is looked at.
    expected = "a text-direction character (U+202E" if "\u202e" in value else f"contact/{field}: expected "
    assert any(message.startswith(expected) for message in errors), errors


@pytest.mark.parametrize(
    ("theme", "problem"),
    [
        ("contact: {email: 'mailto:a@b.example'}", "contact.email: expected an e-mail address like team@example.org"),
        ("contact: {phone: call us}", "contact.phone: expected a phone number"),
        ("phone: call 999", "phone: expected a phone number"),
        ("contact: {website: 'tel:01004960000'}", "contact.website: expected an https:// or http:// address"),
        ("contact: {hours: \"Mon\\nTue\"}", "contact.hours: expected text on one line"),
    ],
)
def test_a_theme_contact_not_in_the_form_a_link_needs_is_refused(tmp_path, theme, problem):
    from pipeline.errors import ConfigError

    (tmp_path / "theme.yaml").write_text(theme + "\n", "utf-8")
    with pytest.raises(ConfigError) as raised:
        Renderer(RenderOptions(styles=tmp_path))
    assert problem in str(raised.value)
