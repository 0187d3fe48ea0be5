"""`liveq report`: one self-contained HTML file about an event, also served at /mod/{event}/report.

Self-contained: the CSS is inline, the charts are inline SVG, there are no
scripts, fonts, images or links to fetch, so the file can be mailed, archived
and printed to PDF as it is. The same HTML is served in the browser under a
CSP that allows this exact stylesheet (by its hash) and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import time
from pathlib import Path

import jinja2
from babel.support import NullTranslations
from markupsafe import Markup

from liveq import __version__
from liveq.after import export, report_figures, report_svg
from liveq.domain.events import Event
from liveq.storage import audit
from liveq.storage.db import Database

TEMPLATES = Path(__file__).parents[1] / "web" / "templates"
OUTCOMES = (
    "redacted",
    "overridden",
    "edited out",
    "approved",
    "declined",
    "merged",
    "archived",
    "pending",
)

STYLE = """
:root { --ink: #111827; --muted: #4b5563; --line: #d1d5db; --web: #1d4ed8; --x: #111827;
  --other: #9ca3af; --bar: #0f766e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem 1.25rem 3rem; color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; background: #fff; }
h1 { font-size: 1.8rem; margin: 0.1rem 0 0.3rem; line-height: 1.2; }
h2 { font-size: 1.15rem; margin: 0 0 0.6rem; border-bottom: 2px solid var(--ink);
  padding-bottom: 0.2rem; }
section { margin: 1.8rem 0; }
.kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.75rem;
  color: var(--muted); margin: 0; }
.meta, .caption, .note, footer { color: var(--muted); }
.caption, .note { font-size: 0.9rem; margin: 0.4rem 0 0; }
.notice { border-left: 4px solid #b45309; background: #fffbeb; padding: 0.5rem 0.75rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr));
  gap: 0.6rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.75rem; }
.card .big { display: block; font-size: 1.55rem; font-weight: 700; line-height: 1.15;
  white-space: nowrap; }
.card .what { display: block; font-weight: 600; }
.card .sub { display: block; font-size: 0.82rem; color: var(--muted); }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1.2rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: #e5e7eb; stroke-width: 1; }
svg .tick, svg .legend { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .legend { fill: var(--ink); font-size: 12px; }
svg .small { font-size: 10px; }
svg .on-bar { font: 600 12px system-ui, sans-serif; fill: #fff; }
svg .s0 { fill: var(--web); } svg .s1 { fill: var(--x); } svg .s2, svg .s3 { fill: var(--other); }
svg .bar { fill: var(--bar); }
.st-answered { fill: #15803d; background: #15803d; }
.st-on_air { fill: #b45309; background: #b45309; }
.st-approved { fill: #60a5fa; background: #60a5fa; }
.st-pending { fill: #9ca3af; background: #9ca3af; }
.st-declined { fill: #b91c1c; background: #b91c1c; }
.st-merged { fill: #7c3aed; background: #7c3aed; }
.st-archived { fill: #4b5563; background: #4b5563; }
ul.legend { list-style: none; padding: 0; margin: 0.5rem 0 0; display: flex; flex-wrap: wrap;
  gap: 0.4rem 1.1rem; font-size: 0.9rem; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.35rem;
  vertical-align: -0.05rem; border-radius: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; background: #f3f4f6; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #9ca3af; }
ol.transcript { list-style: none; padding: 0; margin: 0; }
ol.transcript li { border-bottom: 1px solid var(--line); padding: 0.55rem 0;
  display: grid; grid-template-columns: 2.6rem 1fr; gap: 0 0.6rem; }
ol.transcript .num { font-weight: 700; color: var(--muted); }
ol.transcript .text { white-space: pre-wrap; overflow-wrap: anywhere; }
ol.transcript .info { grid-column: 2; font-size: 0.85rem; color: var(--muted); }
.state { display: inline-block; font-size: 0.75rem; padding: 0 0.4rem; border-radius: 3px;
  border: 1px solid var(--line); }
.state-posted { border-color: #15803d; color: #15803d; }
.state-failed, .state-held { border-color: #b91c1c; color: #b91c1c; }
.gone { color: #9ca3af; font-style: italic; }
.ok { color: #15803d; font-weight: 700; } .bad { color: #b91c1c; font-weight: 700; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.85em; overflow-wrap: anywhere; }
a { color: #1d4ed8; }
@media print {
  @page { margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section { margin: 1rem 0; }
  section, .card, ol.transcript li, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  .cards { grid-template-columns: repeat(4, 1fr); }
  a { color: inherit; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
""".strip()

STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# The browser version: this stylesheet, nothing else. No script may run at all.
CSP = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def human_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def local_time(t: float | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return time.strftime(fmt, time.localtime(t)) if t is not None else "—"


def _environment(translations: NullTranslations) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # The same message catalogs as the web pages (liveq/locale), handed in by the caller.
    env.install_gettext_translations(translations, newstyle=True)
    env.filters["duration"] = human_seconds
    env.filters["when"] = local_time
    env.filters["source"] = report_svg.source_label
    return env


_ENVS: dict[str, jinja2.Environment] = {}


def _env_for(lang: str, translations: NullTranslations | None) -> jinja2.Environment:
    """One environment per language (its catalog installed), made once."""
    if lang not in _ENVS:
        _ENVS[lang] = _environment(translations or NullTranslations())
    return _ENVS[lang]


def render(
    data: export.EventData,
    post_url: export.PostUrl,
    verdict: audit.Verdict,
    generated_at: float | None = None,
    *,
    lang: str = "en",
    direction: str = "ltr",
    translations: NullTranslations | None = None,
) -> str:
    """The report's HTML for this event's rows, in `lang` (English unless the web page
    hands in that language's catalog: liveq.web.i18n.translations)."""
    fig = report_figures.compute(data.questions, data.audit)
    transcript = [
        {**record, "posted_t": row["posted_at"]}
        for record, row in zip(export.post_records(data, post_url), data.posts, strict=True)
    ]
    generated_at = time.time() if generated_at is None else generated_at
    times = [q["created_at"] for q in data.questions] + [r["at"] for r in data.audit]
    outcomes = [o for o in OUTCOMES if any(o in c for c in fig.findings.values())]
    charts = {
        "per_minute": report_svg.per_minute_chart(fig.per_bucket, fig.sources, fig.bucket_seconds),
        "status": report_svg.status_bar(fig.status_counts),
        "approval": report_svg.wait_histogram(fig.to_approval, "approval"),
        "answer": report_svg.wait_histogram(fig.to_answer, "answer"),
    }
    template = _env_for(lang, translations).get_template("report.html")
    return template.render(
        lang=lang,
        dir=direction,
        event=data.event,
        fig=fig,
        charts=charts,
        transcript=transcript,
        posted=sum(1 for p in transcript if p["state"] == "posted"),
        networks=export.network_figures(data),
        polls=export.poll_records(data),
        outcomes=outcomes,
        verdict=verdict,
        start=min(times, default=None),
        end=max(times, default=None),
        generated_at=generated_at,
        timezone=time.strftime("%Z (UTC%z)", time.localtime(generated_at)),
        version=__version__,
        style=Markup(STYLE),  # noqa: S704 - our own constant
    )


async def build(
    db: Database,
    event: Event,
    post_url: export.PostUrl,
    *,
    lang: str = "en",
    direction: str = "ltr",
    translations: NullTranslations | None = None,
) -> str:
    """Load the event, check its audit chain, and render the report."""
    data = await export.load(db, event)
    verdict = await audit.verify_event(db, event.id)
    return render(
        data, post_url, verdict, lang=lang, direction=direction, translations=translations
    )
