"""Web safety: CSRF on every state-changing form, a strict CSP and security headers everywhere."""

from html.parser import HTMLParser
from pathlib import Path

import aiohttp
from playwright.async_api import expect

from liveq.web.pages import overlays_dir
from tests.browser.test_browser_qa import login_console
from tests.fixtures_browser import collect_problems
from tests.fixtures_server import MOD_PASSWORD, form_csrf, login

TEMPLATES = Path(__file__).parents[2] / "liveq" / "web" / "templates"


class _Html(HTMLParser):
    """Collects post forms (with their hidden csrf field), inline scripts and handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.problems: list[str] = []
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=...> (inline, blocked by the CSP)")
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.forms.append({"action": attrs.get("action"), "csrf": False})
        if tag == "input" and attrs.get("name") == "csrf" and self.forms:
            self.forms[-1]["csrf"] = True
        if tag == "script":
            self._in_script_without_src = "src" not in attrs
        for value in attrs.values():
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag}> with a javascript: URL")

    def handle_data(self, data):
        if self._in_script_without_src and data.strip():
            self.problems.append("an inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script_without_src = False


def parse(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    return parser


def test_every_post_form_in_every_template_carries_a_csrf_token():
    files = sorted(TEMPLATES.glob("*.html")) + sorted(overlays_dir().glob("*.html"))
    forms = []
    for path in files:
        parsed = parse(path.read_text(encoding="utf-8"))
        forms += [(path.name, f["action"], f["csrf"]) for f in parsed.forms]
        assert parsed.problems == [], path.name
    assert {(name, ok) for name, _, ok in forms} >= {
        ("login.html", True),
        ("index.html", True),
        ("audience.html", True),
    }
    assert all(ok for _, _, ok in forms), forms


async def test_login_logout_question_and_vote_refuse_a_missing_or_foreign_token(server, http):
    base = server.url
    # Another browser's token is no good: the token is bound to this browser's cookie.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        foreign = await form_csrf(other, f"{base}/login")
    await form_csrf(http, f"{base}/login")
    for token in ("", foreign):
        async with http.post(
            f"{base}/login",
            data={"csrf": token, "username": "alice", "password": MOD_PASSWORD},
            allow_redirects=False,
        ) as resp:
            assert resp.status == 403
            assert not any(
                c.startswith("liveq_session=") for c in resp.headers.getall("Set-Cookie", [])
            )
        async with http.post(
            f"{base}/e/grand-rounds/questions", data={"csrf": token, "text": "Forged?"}
        ) as resp:
            assert resp.status == 403
    async with http.post(f"{base}/e/grand-rounds/questions", json={"text": "A real one?"}) as resp:
        qid = (await resp.json())["id"]
    async with http.post(f"{base}/e/grand-rounds/questions/{qid}/vote") as resp:
        assert resp.status == 403
    await login(http, server)
    for token in ("", foreign):
        async with http.post(
            f"{base}/logout", data={"csrf": token, "everywhere": "1"}, allow_redirects=False
        ) as resp:
            assert resp.status == 403
        # A cookie-authenticated API call needs the header too.
        async with http.post(
            f"{base}/api/v1/events/grand-rounds/questions/{qid}/approve",
            json={},
            headers={"X-CSRF-Token": token} if token else {},
        ) as resp:
            assert resp.status == 403
    async with http.get(f"{base}/mod/grand-rounds", allow_redirects=False) as resp:
        assert resp.status == 200  # still logged in: the forged logouts did nothing
    rows = await server.db.fetchall("SELECT text, status FROM questions")
    assert [tuple(r) for r in rows] == [("A real one?", "pending")]


CSP_MUST = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def page_urls(server) -> list[str]:
    key = server.event.overlay_key
    return [
        "/",
        "/login",
        "/e/grand-rounds",
        "/e/grand-rounds/thanks?q=1",
        "/mod/grand-rounds",
        f"/overlay/grand-rounds?key={key}",
        f"/overlay/grand-rounds?key={key}&view=presenter",
        f"/overlay/grand-rounds?key={key}&theme=light",
        "/overlay/grand-rounds?key=wrong",
        "/e/no-such-event",
        "/healthz",
        "/api/v1/events/grand-rounds",
    ]


async def test_every_page_has_a_strict_csp_and_security_headers(server, http):
    await login(http, server)
    for path in page_urls(server):
        async with http.get(server.url + path) as resp:
            html = await resp.text()
            h = resp.headers
            csp = h.get("Content-Security-Policy", "")
            for directive in CSP_MUST:
                assert directive in csp, (path, directive)
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
            assert h["X-Content-Type-Options"] == "nosniff", path
            assert h["X-Frame-Options"] == "DENY", path
            assert h["Referrer-Policy"] == "no-referrer", path
            assert h["Cross-Origin-Opener-Policy"] == "same-origin", path
            assert "camera=()" in h["Permissions-Policy"], path
            assert h["Cache-Control"] == "no-store", path
        if resp.content_type == "text/html":
            assert parse(html).problems == [], path
    # Static files are cacheable but still typed strictly.
    async with http.get(f"{server.url}/overlay-assets/overlay.js") as resp:
        assert resp.status == 200 and resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_pages_run_in_a_browser_with_no_csp_violation(server, browser):
    problems: list[str] = []
    ctx = await browser.new_context()
    console = await login_console(ctx, server)
    collect_problems(console, problems)
    key = server.event.overlay_key
    for path in [
        "/e/grand-rounds",
        f"/overlay/grand-rounds?key={key}",
        f"/overlay/grand-rounds?key={key}&view=presenter",
        f"/overlay/grand-rounds?key={key}&theme=light",
        "/login",
    ]:
        page = await ctx.new_page()
        collect_problems(page, problems)
        await page.goto(server.url + path)
        await page.wait_for_load_state("networkidle")
    phone = await ctx.new_page()
    collect_problems(phone, problems)
    await phone.goto(f"{server.url}/e/grand-rounds")
    await phone.fill("#text", "Does the CSP let this page work?")
    await phone.click("button[type=submit]")
    await expect(phone.locator("#thanks")).to_be_visible()
    await expect(console.locator("#queue li.q", has_text="Does the CSP")).to_be_visible()
    # An injected inline script is blocked and reported: the check can see violations.
    canary: list[str] = []
    probe = await ctx.new_page()
    collect_problems(probe, canary)
    await probe.goto(f"{server.url}/login")
    await probe.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.appendChild(s); }"
    )
    assert await probe.evaluate("() => window.ran === undefined")
    await probe.wait_for_timeout(100)
    assert any("Content Security Policy" in p for p in canary), canary
    await ctx.close()
    assert problems == [], problems
