"""A planner's dashboard over HTTP (issue 17, §5): signed in with a password, they read a region's
dashboard, and every figure cell equals the GraphQL answer for the same arguments ("same numbers
everywhere"), as known now and as known at an earlier moment; every table downloads as CSV; the
quarterly A4 page names the quarter and the ledger's chain head; and a first visit stays under the
500 KB budget."""

import csv
import gzip
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tests.e2e.api_support import Api, hrh, live_server

pytestmark = pytest.mark.integration

PASSWORD = "Sahel-dashboard-2024"
REGION = "ML-R1"
SPAN = {"interval": "YEAR", "from": "2015-01-01", "to": "2024-12-31"}
SET_POSTS = """
mutation Set($input: SetEstablishmentInput!) { setEstablishment(input: $input) { position } }"""
FIGURES = """
query Figures($unit: String!, $from: Date!, $to: Date!, $interval: Interval!, $knownAt: DateTime) {
  densitySeries(orgUnitCode: $unit, from: $from, to: $to, interval: $interval, knownAt: $knownAt) {
    period active qualifiedActive population density qualifiedDensity entries exits
  }
  staffing(orgUnitCode: $unit, asOf: $to, knownAt: $knownAt) {
    headcount onLeave active qualifiedActive population density qualifiedDensity
    byCadreGroup { key count } bySex { key count } bySector { key count } byFundingSource { key count }
    children { orgUnit { code } active qualifiedActive population density qualifiedDensity }
  }
  establishment(orgUnitCode: $unit, asOf: $to, knownAt: $knownAt) {
    posts filled vacant surplus vacancyRate byCadreGroup { key posts filled vacant surplus }
  }
  completeness(orgUnitCode: $unit) { workers complete rate missing { key count } }
  chainHead { position hash }
}"""
DENSITIES = ("density", "qualifiedDensity")
BUDGET_BYTES = 500 * 1024


class FigureCells(HTMLParser):
    """The figure cells of a page: ``(table, figure, unit, period, key, measure) -> text``, and the
    assets it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, ...], str] = {}
        self.assets: list[str] = []
        self.table = ""
        self.open: tuple[str, ...] | None = None
        self.text: list[str] = []
        self.attributes: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table" and "data-table" in found:
            self.table = found["data-table"]
        if tag == "td" and "data-figure" in found:
            marks = ("data-figure", "data-unit", "data-period", "data-key", "data-measure")
            self.open = (self.table, *(found.get(m, "") for m in marks))
            self.text = []
        if (tag == "script" and found.get("src")) or (tag == "link" and found.get("rel") == "stylesheet"):
            self.assets.append(found.get("src") or found["href"])
        for name, value in found.items():
            if name.startswith("data-") and name not in ("data-figure",):
                self.attributes.setdefault(name, {})[value] = tag

    def handle_data(self, data: str) -> None:
        if self.open is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.open is not None:
            assert self.open not in self.cells, f"two cells for {self.open}"
            self.cells[self.open] = "".join(self.text).strip()
            self.open = None


def cells_of(html: str) -> FigureCells:
    parser = FigureCells()
    parser.feed(html)
    return parser


def number(text: str) -> int:
    return int(text.replace(",", ""))


def same(text: str, value: float | int | None, figure: str) -> bool:
    """Whether a cell's English text writes ``value`` (densities to one decimal, rates as percents)."""
    if value is None:
        return text == ""
    if figure in DENSITIES:
        return abs(float(text.replace(",", "")) - value) <= 0.05 + 1e-9
    if figure in ("vacancyRate", "rate"):
        return abs(float(text.removesuffix("%").strip()) - 100 * value) <= 0.05 + 1e-9
    return number(text) == value


@pytest.fixture(scope="module")
def api(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with live_server(server_url, tmp_path_factory.mktemp("web_dashboard")) as live:
        yield live


@pytest.fixture(scope="module")
def ledger_cut(api: Api) -> str:
    """Workers in both regions over the years, an establishment; returns a moment after the first of
    them were recorded, before a transfer out of the region and a departure."""
    facilities = ["F-111", "F-112", "F-121", "F-122", "F-211"]
    workers = []
    for n in range(10):
        cadre = "NURSE-RN" if n % 3 else "OTHER-CLEAN"
        on = f"{2015 + n}-03-0{1 + n % 5}"
        hired = api.hire(f"Traore{n}", on=on, cadreCode=cadre, sex="MALE" if n % 2 else "FEMALE")
        worker = hired["worker"]["id"]
        api.post_worker(worker, facilities[n % len(facilities)], on)
        workers.append(worker)
    posts = api.data(
        SET_POSTS,
        {"input": {"facilityCode": "F-111", "cadreCode": "NURSE-RN", "posts": 4, "effectiveOn": "2016-01-01"}},
    )
    api.caught_up(posts["setEstablishment"]["position"])
    cut = str(api.audit()[-1]["recordedAt"])
    # After the cut: a transfer out of the region (an exit) and one within it.
    api.transfer(workers[1], "F-211", "2021-06-01")
    position = api.transfer(workers[2], "F-122", "2022-02-01")
    api.caught_up(position)
    return cut


@pytest.fixture(scope="module")
def planner(api: Api, ledger_cut: str) -> Iterator[tuple[httpx.Client, str]]:
    """A planner signed in to the pages, and their API token."""
    added = hrh(
        "users", "add", "planner.r1", "--role", "PLANNER", "--password-stdin", env=api.env, stdin=PASSWORD + "\n"
    )
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1].strip()
    with httpx.Client(base_url=api.base, timeout=60) as client:
        form = client.get("/sign-in")
        assert form.status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None, form.text
        signed = client.post(
            "/sign-in", data={"name": "planner.r1", "password": PASSWORD, "csrf": csrf.group(1), "next": "/dashboard"}
        )
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == "/dashboard"
        yield client, token


def check_same_numbers(page: FigureCells, answer: dict[str, Any]) -> int:
    """Asserts that every figure the GraphQL answer holds is on the page, written alike; returns how
    many cells were compared."""
    expected: dict[tuple[str, ...], Any] = {}
    for p in answer["densitySeries"]:
        for figure in ("qualifiedDensity", "density", "qualifiedActive", "active", "population"):
            expected["density", figure, REGION, p["period"], "", ""] = p[figure]
        for figure in ("entries", "exits"):
            expected["flows", figure, REGION, p["period"], "", ""] = p[figure]
    s = answer["staffing"]
    for figure in ("headcount", "onLeave", "active", "qualifiedActive", "population", "density", "qualifiedDensity"):
        expected["staffing", figure, REGION, "", "", ""] = s[figure]
    for breakdown in ("byCadreGroup", "bySex", "bySector", "byFundingSource"):
        for entry in s[breakdown]:
            expected[breakdown, breakdown, REGION, "", entry["key"], "count"] = entry["count"]
    for child in s["children"]:
        for figure in ("active", "qualifiedActive", "population", "density", "qualifiedDensity"):
            expected["children", figure, child["orgUnit"]["code"], "", "", ""] = child[figure]
    e = answer["establishment"]
    for figure in ("posts", "filled", "vacant", "surplus", "vacancyRate"):
        expected["establishment", figure, REGION, "", "", ""] = e[figure]
    for group in e["byCadreGroup"]:
        for measure in ("posts", "filled", "vacant", "surplus"):
            expected["establishment", "byCadreGroup", REGION, "", group["key"], measure] = group[measure]
    c = answer["completeness"]
    for figure in ("workers", "complete", "rate"):
        expected["completeness", figure, REGION, "", "", ""] = c[figure]
    for entry in c["missing"]:
        expected["completeness", "missing", REGION, "", entry["key"], "count"] = entry["count"]
    for mark, value in expected.items():
        assert mark in page.cells, f"no cell {mark}"
        assert same(page.cells[mark], value, mark[1]), (mark, page.cells[mark], value)
    return len(expected)


def test_a_regions_dashboard_shows_the_graphql_answer(api: Api, planner: tuple[httpx.Client, str]) -> None:
    client, token = planner
    shown = client.get(f"/dashboard/{REGION}", params={**SPAN, "lang": "en"})
    assert shown.status_code == 200, shown.text[:2000]
    page = cells_of(shown.text)
    answer = api.data(FIGURES, {"unit": REGION, **SPAN, "knownAt": None}, token)
    assert [p["period"] for p in answer["densitySeries"]] == [str(y) for y in range(2015, 2025)]
    assert (
        answer["staffing"]["active"] > 0
        and answer["densitySeries"][-1]["exits"] + answer["densitySeries"][-4]["exits"] >= 1
    )
    assert check_same_numbers(page, answer) > 60
    # The shareable link says exactly what was asked.
    link = re.search(r'href="([^"]+)" data-share-link', shown.text)
    assert link is not None
    assert (
        link.group(1).replace("&amp;", "&")
        == f"/dashboard/{REGION}?interval=YEAR&from=2015-01-01&to=2024-12-31&lang=en"
    )


def test_as_known_at_a_past_moment_every_figure_is_the_graphql_answer_then(
    api: Api, planner: tuple[httpx.Client, str], ledger_cut: str
) -> None:
    client, token = planner
    shown = client.get(f"/dashboard/{REGION}", params={**SPAN, "knownAt": ledger_cut, "lang": "en"})
    assert shown.status_code == 200, shown.text[:2000]
    then = api.data(FIGURES, {"unit": REGION, **SPAN, "knownAt": ledger_cut}, token)
    now = api.data(FIGURES, {"unit": REGION, **SPAN, "knownAt": None}, token)
    assert then["densitySeries"] != now["densitySeries"]  # the transfers after the cut changed the figures
    check_same_numbers(cells_of(shown.text), then)


def test_every_table_downloads_as_csv(planner: tuple[httpx.Client, str]) -> None:
    client, _ = planner
    shown = client.get(f"/dashboard/{REGION}", params={**SPAN, "lang": "en"})
    page = cells_of(shown.text)
    names = sorted(set(re.findall(r'data-table="([^"]+)"', shown.text)))
    assert {"density", "flows", "staffing", "byCadreGroup", "children", "establishment", "completeness"} <= set(names)
    for name in names:
        download = client.get(f"/dashboard/{REGION}", params={**SPAN, "csv": name, "lang": "en"})
        assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
        assert download.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert len(rows) >= 2, name
    density = list(
        csv.reader(
            io.StringIO(
                client.get(f"/dashboard/{REGION}", params={**SPAN, "csv": "density", "lang": "en"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    for row in density[1:]:
        assert row[1] == page.cells["density", "qualifiedDensity", REGION, row[0], "", ""]
    # In French: ';' between fields and decimal commas, as French Excel reads them.
    french = client.get(f"/dashboard/{REGION}", params={**SPAN, "csv": "density", "lang": "fr"}).content.decode(
        "utf-8-sig"
    )
    assert ";" in french.splitlines()[0]


def test_the_quarterly_page_names_the_quarter_and_the_chain_head(api: Api, planner: tuple[httpx.Client, str]) -> None:
    client, token = planner
    shown = client.get(f"/dashboard/{REGION}/quarterly", params={"quarter": "2021Q2", "lang": "en"})
    assert shown.status_code == 200, shown.text[:2000]
    head = api.data("{ chainHead { position hash } }", token=token)["chainHead"]
    page = cells_of(shown.text)
    assert page.attributes["data-quarter"] == {"2021Q2": "article"}
    assert str(head["position"]) in page.attributes["data-chain-position"]
    assert head["hash"] in page.attributes["data-chain-hash"]
    assert "data-produced" in page.attributes
    periods = sorted({mark[3] for mark in page.cells if mark[0] == "density"})
    assert periods == ["2019Q3", "2019Q4", "2020Q1", "2020Q2", "2020Q3", "2020Q4", "2021Q1", "2021Q2"]
    answer = api.data(
        FIGURES,
        {"unit": REGION, "interval": "QUARTER", "from": "2019-07-01", "to": "2021-06-30", "knownAt": None},
        token,
    )
    check_same_numbers(page, answer)
    assert re.search(r'<link rel="stylesheet" href="/static/print\.[0-9a-f]+\.css">', shown.text)


def test_bad_parameters_are_refused_with_a_code(planner: tuple[httpx.Client, str]) -> None:
    client, _ = planner
    for params in (
        {"interval": "WEEK"},
        {"from": "2020-13-01"},
        {"to": "2010-01-01", "from": "2020-01-01"},
        {"knownAt": "yesterday"},
    ):
        refused = client.get(f"/dashboard/{REGION}", params={**params, "lang": "en"})
        assert refused.status_code == 400, params
        assert 'data-error-code="BAD_USER_INPUT"' in refused.text, params
    assert client.get(f"/dashboard/{REGION}/quarterly", params={"quarter": "2021Q5"}).status_code == 400
    assert client.get("/dashboard/NOWHERE").status_code == 404
    assert client.get(f"/dashboard/{REGION}", params={"csv": "nothing"}).status_code == 404


def test_the_unit_picker_leads_to_a_units_dashboard(planner: tuple[httpx.Client, str]) -> None:
    client, _ = planner
    picker = client.get("/dashboard", params={"lang": "en"})
    assert picker.status_code == 200
    assert 'data-unit="ML"' in picker.text and 'value="ML-D12"' in picker.text
    chosen = client.get("/dashboard", params={"unit": "ML-D12", "interval": "MONTH"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/dashboard/ML-D12?interval=MONTH"
    monthly = cells_of(client.get("/dashboard/ML-D12", params={"interval": "MONTH"}).text)
    assert len({mark[3] for mark in monthly.cells if mark[0] == "density"}) == 12


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(api: Api) -> None:
    with httpx.Client(base_url=api.base) as stranger:
        answer = stranger.get(f"/dashboard/{REGION}")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


def test_a_first_visit_weighs_at_most_500_kb_compressed(planner: tuple[httpx.Client, str]) -> None:
    client, _ = planner
    gzip_only = {"Accept-Encoding": "gzip"}
    shown = client.get(f"/dashboard/{REGION}", params=SPAN, headers=gzip_only)
    assert shown.status_code == 200
    total = shown.num_bytes_downloaded
    page = cells_of(shown.text)
    assert any("chart.umd" in a for a in page.assets) and any("dashboard." in a for a in page.assets)
    for asset in page.assets:
        fetched = client.get(asset, headers=gzip_only)
        assert fetched.status_code == 200, asset
        total += fetched.num_bytes_downloaded
    assert total <= BUDGET_BYTES, total
    assert len(gzip.compress(shown.content)) < 60 * 1024  # the page itself, compressed
