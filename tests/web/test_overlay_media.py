"""The in-room screen shows the thread's photos: served to the overlay key's holder, and
only for posts already on X (a queued, scripted photo stays with staff)."""

from tests.waiting import eventually
from tests.web.test_procedure import (
    PNG,
    SLUG,
    add_photo,
    all_posted,
    call,
    consent_all,
    get_state,
    outbox,
    proc_server,  # noqa: F401 - fixture
    same_pixels,
    sign_all,
)


async def test_overlay_key_gets_photos_of_posted_posts_only(proc_server, http):  # noqa: F811
    server = proc_server
    key = server.event.overlay_key
    for text in ("Scripted post 1.", "Scripted post 2."):
        await call(http, server, "/posts", {"text": text}, status=201)
    await call(http, server, "/posts", {"role": "holding", "text": "Pausing a moment."}, status=201)
    first, second = (p["id"] for p in (await get_state(http, server))["script"])
    await add_photo(http, server, first, "The surgical team scrubbing in.")
    await add_photo(http, server, second, "The implant, not yet posted.")
    await sign_all(http, server)
    await consent_all(http, server)
    await call(http, server, "/live")
    await call(http, server, "/next", status=201)
    (posted,) = await all_posted(http, server, 1)

    async with http.get(f"{server.url}/overlay/{SLUG}/latest-post?key={key}") as resp:
        latest = (await resp.json())["post"]
    assert latest["id"] == posted["id"]
    assert latest["images"] == [{"n": 0, "alt": "The surgical team scrubbing in."}]
    assert key not in str(latest)  # the same payload goes to audience sockets

    photo = f"{server.url}/overlay/{SLUG}/posts/{posted['id']}/photos"
    async with http.get(f"{photo}/0?key={key}") as resp:
        assert resp.status == 200
        assert resp.content_type == "image/png"
        assert same_pixels(await resp.read(), PNG)
    for url in (f"{photo}/0", f"{photo}/0?key=wrong"):
        async with http.get(url) as resp:
            assert resp.status == 403, url
            assert "key" in await resp.text()
    for url in (f"{photo}/1?key={key}", f"{photo}/x?key={key}", f"{photo}/-1?key={key}"):
        async with http.get(url) as resp:
            assert resp.status == 404, url

    # Paused: the holding statement goes out, the second post waits in the queue.
    await call(http, server, "/pause")
    await call(http, server, "/next", status=201)

    async def queued_second():
        items = await outbox(http, server)
        return next((i for i in items if i["state"] == "queued" and i["media"]), None)

    waiting = await eventually(queued_second)
    async with http.get(
        f"{server.url}/overlay/{SLUG}/posts/{waiting['id']}/photos/0?key={key}"
    ) as resp:
        assert resp.status == 404
