"""The staff allow-list through a real server: [screening] staff_names and a procedure's
physician are not held as names; a patient named beside them is, also after an edit."""

import pytest

from liveq.storage import procedure as procedure_store
from liveq.storage import store
from tests.fixtures_server import bearer, start_server, write_config


@pytest.fixture
async def staff_server(tmp_path):
    config = write_config(
        tmp_path,
        limits={"questions_per_minute": 0},
        screening={"staff_names": ["Dr. Ana Okafor"], "flood_per_author": 0},
    )
    live = await start_server(config)
    db = live.db
    live.procedure = await store.create_event(
        db, "knee-live", "Knee replacement, live", kind="procedure", hashtag="KneeLive",
        moderation="pre",
    )
    await procedure_store.ensure(db, live.procedure)
    await procedure_store.set_options(db, live.procedure, "admin", "Dr. Raj Patel", None)
    yield live
    await live.stop()


async def submit(http, server, slug, text):
    async with http.post(f"{server.url}/e/{slug}/questions", json={"text": text}) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["id"]


async def findings(http, server, slug, qid):
    async with http.get(
        f"{server.url}/api/v1/events/{slug}/questions/{qid}", headers=bearer(server)
    ) as resp:
        assert resp.status == 200
        question = (await resp.json())["question"]
    return [(f["kind"], question["text"][f["start"]:f["end"]]) for f in question["findings"]]


async def test_configured_staff_are_not_names_but_patients_are(staff_server, http):
    server = staff_server
    ok = await submit(http, server, "grand-rounds", "Will Ana Okafor post the slides? okafor rocks")
    assert await findings(http, server, "grand-rounds", ok) == []
    held = await submit(http, server, "grand-rounds", "Ana Okafor operated on Kevin Brooks")
    assert await findings(http, server, "grand-rounds", held) == [("name", "Kevin Brooks")]


async def test_the_procedures_physician_is_not_a_name_even_after_an_edit(staff_server, http):
    server = staff_server
    qid = await submit(http, server, "knee-live", "Is Raj Patel operating on PATEL, RAJ's day off?")
    assert await findings(http, server, "knee-live", qid) == []
    # The physician is staff for the procedure only: on the webinar, a name.
    other = await submit(http, server, "grand-rounds", "Is Raj Patel operating today?")
    assert await findings(http, server, "grand-rounds", other) == [("name", "Raj Patel")]
    # An edit is re-screened with the same rules: the physician stays allowed, a patient
    # added by the edit is found.
    async with http.post(
        f"{server.url}/api/v1/events/knee-live/questions/{qid}/edit",
        json={"text": "Is Raj Patel operating on Marisol Ybarra today?"},
        headers=bearer(server),
    ) as resp:
        assert resp.status == 200, await resp.text()
    assert await findings(http, server, "knee-live", qid) == [("name", "Marisol Ybarra")]
