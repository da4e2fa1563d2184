"""The establishment over HTTP: an ADMIN sets a facility's budgeted posts by decree, anyone who reads
staffing reads posts, filled, vacant and surplus (DESIGN, "Definitions: Establishment")."""

from collections.abc import Iterator

import pytest

from tests.e2e.api_support import Api, live_server

pytestmark = pytest.mark.integration

SET = """
mutation Set($input: SetEstablishmentInput!) {
  setEstablishment(input: $input) { position orgUnit { code } }
}"""
FIGURES = "posts filled vacant surplus vacancyRate byCadreGroup { key posts filled vacant surplus }"
ESTABLISHMENT = f"""
query Establishment($unit: String!, $asOf: Date, $knownAt: DateTime) {{
  establishment(orgUnitCode: $unit, asOf: $asOf, knownAt: $knownAt) {{
    orgUnit {{ code }} asOf knownAt {FIGURES}
    children {{ orgUnit {{ code }} {FIGURES} }}
  }}
}}"""
DECREE = "Arrêté n°2017-0123/MS-SG"


def posts(facility: str, cadre: str, n: int, on: str = "2016-01-01") -> dict[str, object]:
    return {"input": {"facilityCode": facility, "cadreCode": cadre, "posts": n, "effectiveOn": on, "authority": DECREE}}


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("api_establishment")) as live:
        yield live


def test_posts_set_by_decree_against_the_workers_in_post(api: Api) -> None:
    # F-111 budgets 2 nurses; one is hired and posted there, another at F-112 (which budgets 0).
    first = api.data(SET, posts("F-111", "NURSE-RN", 2))["setEstablishment"]
    assert first["orgUnit"]["code"] == "F-111"
    api.data(SET, posts("F-112", "NURSE-RN", 0))
    for name, facility in (("Diarra", "F-111"), ("Keita", "F-112")):
        hired = api.hire(name, on="2016-02-01")
        position = api.post_worker(hired["worker"]["id"], facility, "2016-02-01")["position"]
    api.caught_up(position)
    before_cut = api.data(ESTABLISHMENT, {"unit": "F-111", "asOf": "2016-06-01"})["establishment"]
    cut = api.audit()[-1]["recordedAt"]

    # A revision from 2017 budgets 3.
    latest = api.data(SET, posts("F-111", "NURSE-RN", 3, "2017-01-01"))["setEstablishment"]["position"]
    api.caught_up(latest)

    found = api.data(ESTABLISHMENT, {"unit": "ML-D11", "asOf": "2017-06-01"})["establishment"]
    assert found["orgUnit"]["code"] == "ML-D11" and found["asOf"] == "2017-06-01"
    # F-111: 3 posts, 1 filled, 2 vacant; F-112: 0 posts, 1 filled, 1 surplus. Summed pair by pair.
    assert (found["posts"], found["filled"], found["vacant"], found["surplus"]) == (3, 2, 2, 1)
    assert found["vacancyRate"] == pytest.approx(2 / 3)
    assert found["byCadreGroup"] == [{"key": "NURSE", "posts": 3, "filled": 2, "vacant": 2, "surplus": 1}]
    children = {c["orgUnit"]["code"]: c for c in found["children"]}
    assert sorted(children) == ["F-111", "F-112", "F-113"]
    assert (children["F-111"]["vacant"], children["F-112"]["surplus"]) == (2, 1)
    assert children["F-113"]["vacancyRate"] is None and children["F-113"]["byCadreGroup"] == []

    # Before the revision took effect, and as known before it was recorded.
    assert before_cut["posts"] == 2 and before_cut["vacant"] == 1
    known = api.data(ESTABLISHMENT, {"unit": "F-111", "asOf": "2017-06-01", "knownAt": cut})["establishment"]
    assert (known["posts"], known["knownAt"] is not None) == (2, True)

    # Planners read aggregates: the establishment too.
    planner = api.create_user("Planificateur DNS", "PLANNER")
    assert api.data(ESTABLISHMENT, {"unit": "ML", "asOf": "2017-06-01"}, planner)["establishment"]["posts"] == 3


def test_a_refused_establishment_writes_nothing(api: Api) -> None:
    hr = api.create_user("Awa Traoré (HR D11)", "HR_MANAGER", "ML-D11")
    before = api.ledger_position()
    assert api.refused(SET, posts("F-113", "NO-SUCH-CADRE", 2)) == "NOT_FOUND"
    assert api.refused(SET, posts("F-999", "NURSE-RN", 2)) == "NOT_FOUND"
    assert api.refused(SET, posts("F-113", "NURSE-RN", -1)) == "BAD_USER_INPUT"
    assert api.refused(SET, posts("ML-D11", "NURSE-RN", 2)) == "NOT_A_FACILITY"
    assert api.refused(SET, posts("F-113", "NURSE-RN", 2), hr) == "FORBIDDEN"
    assert api.ledger_position() == before
    assert api.refused(ESTABLISHMENT, {"unit": "NOWHERE"}) == "NOT_FOUND"
