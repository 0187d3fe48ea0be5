"""Procedure mode over HTTP, one module per idea.

``common`` (the page, the state every answer carries), ``script`` (the day
before: posts, sign-off, import, checklist, options), ``photos`` (uploading and
showing a post's photos), ``day`` (go live, post next, facts, unscripted posts,
pause/resume) and ``screen`` (the overlay's in-room screen).

The domain's errors (ScriptError, NotReady) carry their HTTP status; the error
middleware answers them.
"""

from __future__ import annotations

from liveq.web.api.procedure import common, day, photos, screen, script

routes = [*common.routes, *script.routes, *photos.routes, *day.routes, *screen.routes]
