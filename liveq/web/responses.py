"""Answering people and programs: JSON errors for APIs, pages for browsers."""

from __future__ import annotations

from aiohttp import web

from liveq.web import i18n
from liveq.web.keys import TEMPLATES


def wants_json(request: web.Request) -> bool:
    if request.path.startswith("/api/"):
        return True
    if request.content_type == "application/json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def render(
    request: web.Request,
    template: str,
    context: dict | None = None,
    *,
    status: int = 200,
    lang: str = i18n.DEFAULT,
) -> web.Response:
    """The page in `lang` (its strings through that language's catalog)."""
    env = request.app[TEMPLATES].get(lang)
    page = {
        "lang": lang,
        "dir": i18n.direction(lang),
        "languages": i18n.switcher(request),
        **(context or {}),
    }
    html = env.get_template(template).render(request=request, **page)
    resp = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    if lang != i18n.DEFAULT or request.query.get(i18n.QUERY):
        resp.headers["Content-Language"] = lang
        i18n.remember(request, resp)
    return resp


def error_response(
    request: web.Request, status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """A 4xx/5xx with one sentence a person understands, as JSON or as a page."""
    if wants_json(request):
        resp = web.json_response({"error": message, "status": status}, status=status)
    else:
        # In the browser's language where the catalog has the sentence (the audience's
        # errors are in it); anything else stays as written.
        lang = i18n.choose(request)
        message = i18n.gettext(lang, message)
        resp = render(
            request, "error.html", {"status": status, "message": message}, status=status, lang=lang
        )
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


async def read_json_object(request: web.Request) -> dict:
    """The request's JSON object ({} with no body), or a 4xx saying what is wrong."""
    if not request.can_read_body:
        return {}
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="Send JSON (Content-Type: application/json).")
    data = await parse_json(request)
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="Send a JSON object.")
    return data


async def parse_json(request: web.Request) -> object:
    """The request's JSON body, or a 400 saying what is wrong with it."""
    try:
        return await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="The request body is not valid JSON.") from None
    except RecursionError:
        # json.loads recurses per bracket: 15,000 "[" exhaust the stack.
        raise web.HTTPBadRequest(text="The request's JSON is nested too deeply.") from None


def see_other(location: str) -> web.Response:
    """A 303 redirect that can carry cookies."""
    return web.Response(status=303, headers={"Location": location})
