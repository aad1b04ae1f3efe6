"""PDF agendas and floor plans, rendered from the same HTML as the HTML files by WeasyPrint.

Why WeasyPrint rather than a headless browser's print: it is a Python package (a dependency of
this product, installed by pip with it), runs in-process without a browser binary, and honours
CSS paged media (A4 pages, a page break per language and per slot). It needs the Pango library
from the operating system; when Pango is missing, ``check_pdf_available`` says how to install it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matcher.errors import ConfigError
from matcher.events.floorplan import floorplan_html
from matcher.events.pages import AgendaLanguage, agenda_html
from matcher.events.profiles import Profile
from matcher.events.result import EventPlan

INSTALL_HINT = (
    "PDF output needs WeasyPrint and the Pango text library: `pip install weasyprint` (a "
    "dependency of cnht-matcher), then Pango from the system: on Debian or Ubuntu "
    "`sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core`, on macOS "
    "`brew install pango`; on Windows see "
    "https://doc.courtbouillon.org/weasyprint/stable/first_steps.html"
)


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the package is there, Pango is not
        raise ConfigError(f"{INSTALL_HINT} (cause: {exc})") from None
    return weasyprint


def check_pdf_available() -> None:
    """Raise ConfigError with install instructions when PDFs cannot be rendered here."""
    _weasyprint()


def render_pdf(page: str) -> bytes:
    """An HTML page (no external resources) as PDF bytes."""
    document = _weasyprint().HTML(string=page)
    return bytes(document.write_pdf())


def agenda_pdf(
    plan: EventPlan,
    firm_id: str,
    lang: AgendaLanguage = "both",
    profiles: Mapping[str, Profile] | None = None,
) -> bytes:
    """One participant's agenda as PDF: 'vi', 'en', or both (a page each, Vietnamese first)."""
    return render_pdf(agenda_html(plan, firm_id, lang, profiles))


def agenda_pdfs(plan: EventPlan, profiles: Mapping[str, Profile] | None = None) -> dict[str, bytes]:
    """Every participant's agenda (both languages) as PDF, by participant id."""
    return {pid: agenda_pdf(plan, pid, "both", profiles) for pid in plan.firms}


def floorplan_pdf(plan: EventPlan) -> bytes:
    """The floor plan as PDF: one landscape page per slot."""
    return render_pdf(floorplan_html(plan))
