"""POST /api/v1/events/{slug}/reading-grade: a hint for people writing posts."""

from tests.fixtures_server import bearer

PLAIN = "The team is ready. The patient is asleep and doing well. We start in five minutes."


async def test_grades_for_moderators_only(server, http):
    url = f"{server.url}/api/v1/events/grand-rounds/reading-grade"
    body = {"texts": [PLAIN, "Thanks!"]}
    async with http.post(url, json=body, headers=bearer(server)) as resp:
        assert resp.status == 200
        data = await resp.json()
    assert data["target"] == 8
    assert isinstance(data["grades"][0], float) and data["grades"][0] <= 8
    assert data["grades"][1] is None
    async with http.post(url, json=body) as resp:
        assert resp.status == 401
    for bad in ({"texts": "one"}, {"texts": [1]}, {"texts": ["x" * 5001]}, {}):
        async with http.post(url, json=bad, headers=bearer(server)) as resp:
            assert resp.status == 400
            assert "texts" in (await resp.json())["error"]
