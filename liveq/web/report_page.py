"""GET /mod/{slug}/report: the post-event report in the browser, for moderators.

The same HTML as `liveq report` writes. It is served under its own CSP: no script
at all, and only its one inline stylesheet, allowed by hash (liveq.after.report.CSP),
so the page stays a single self-contained file without loosening style-src.
"""

from __future__ import annotations

from aiohttp import web

from liveq.after import report as report_html
from liveq.web import i18n
from liveq.web.audience import load_event
from liveq.web.auth import require_moderator
from liveq.web.i18n import N_
from liveq.web.keys import DB, X_SETTINGS

# The report's names of the sources (liveq.after.report_svg.source_label), which the
# template translates: marked here, where pybabel looks (babel.cfg).
_SOURCE_NAMES = (
    N_("web form"),
    N_("X (hashtag)"),
    N_("Mastodon (hashtag)"),
    N_("Bluesky (hashtag)"),
)


async def report(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    # In the staff's language, like the console (?lang=, cookie, browser).
    lang = i18n.choose(request)
    html = await report_html.build(
        request.app[DB],
        event,
        request.app[X_SETTINGS].post_url,
        lang=lang,
        direction=i18n.direction(lang),
        translations=i18n.translations(lang),
    )
    resp = web.Response(text=html, content_type="text/html", charset="utf-8")
    if lang != i18n.DEFAULT or request.query.get(i18n.QUERY):
        resp.headers["Content-Language"] = lang
        i18n.remember(request, resp)
    # Set before the security middleware, which only fills in headers not set yet.
    resp.headers["Content-Security-Policy"] = report_html.CSP
    return resp
