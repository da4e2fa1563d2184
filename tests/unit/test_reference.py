"""The reference computation on small hand-built logs; every expected figure is worked out by hand.

The org tree of most stories (all opened on 1 January 2000):

    ML ─┬─ R1 ─┬─ D1 ─┬─ A
        │      │      └─ C
        │      └─ D2 ─── B
        └─ R2
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.reference import Reference

BASE = datetime(2024, 1, 1, tzinfo=UTC)
OPEN = date(2000, 1, 1)


def d(text: str) -> date:
    return date.fromisoformat(text)


def moment(line: dict[str, Any]) -> datetime:
    """When a line was recorded."""
    return datetime.fromisoformat(line["recorded_at"])


class Log:
    """Builds a log in the public format; each line is recorded one minute after the previous one."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self.versions: Counter[str] = Counter()

    def add(self, aggregate: str, aggregate_id: str, event: str, data: dict[str, Any], at: str | None = None) -> Any:
        self.versions[aggregate_id] += 1
        position = len(self.lines) + 1
        line = {
            "position": position,
            "aggregate": aggregate,
            "aggregate_id": aggregate_id,
            "version": self.versions[aggregate_id],
            "event": event,
            "recorded_at": at or (BASE + timedelta(minutes=position)).isoformat(),
            "recorded_by": "tester",
            "authority": None,
            "note": None,
            "command_id": None,
            "data": data,
        }
        self.lines.append(line)
        return line

    def reference(self) -> Reference:
        return Reference(self.lines)

    # Org units are identified by "ou-" + code; later events refer to that id only.

    def unit(self, code: str, parent: str | None, on: date = OPEN, level: str = "FACILITY") -> Any:
        data: dict[str, Any] = {"code": code, "name": code, "level": level, "parent_code": parent, "sector": None}
        data |= {"facility_kind": None, "hard_to_reach": False, "effective_on": on.isoformat()}
        return self.add("OrgUnit", f"ou-{code}", "Opened", data)

    def move(self, code: str, parent: str, on: date) -> Any:
        return self.add("OrgUnit", f"ou-{code}", "Moved", {"new_parent_code": parent, "effective_on": on.isoformat()})

    def close(self, code: str, on: date) -> Any:
        return self.add("OrgUnit", f"ou-{code}", "Closed", {"effective_on": on.isoformat()})

    def estimate(self, code: str, year: int, population: int) -> Any:
        data = {"year": year, "population": population, "source": None}
        return self.add("OrgUnit", f"ou-{code}", "PopulationEstimated", data)

    def cadre(self, code: str, group: str, qualified: bool) -> Any:
        data = {"code": code, "name": code, "isco08": "2221", "group": group, "qualified": qualified}
        return self.add("Cadre", f"cadre-{code}", "Defined", data)

    def hire(self, w: str, on: date, **fields: Any) -> Any:
        data = {
            "civil_service_number": f"CSN-{w}",
            "family_name": "Traoré",
            "given_names": "Aminata",
            "sex": "FEMALE",
            "birth_date": "1990-04-03",
            "cadre_code": "NURSE",
            "sector": "PUBLIC",
            "funding_source": "STATE",
        }
        return self.add("Worker", w, "Hired", data | fields | {"effective_on": on.isoformat()})

    def post(self, w: str, facility: str, on: date) -> Any:
        data = {"facility_code": facility, "job_title": None, "effective_on": on.isoformat()}
        return self.add("Worker", w, "Posted", data)

    def transfer(self, w: str, origin: str, destination: str, on: date) -> Any:
        data = {"from_facility_code": origin, "to_facility_code": destination, "reason": None}
        return self.add("Worker", w, "Transferred", data | {"effective_on": on.isoformat()})

    def train(self, w: str, on: date) -> Any:
        data = {"course": "PCIME", "kind": None, "provider": None, "started_on": on.isoformat()}
        return self.add("Worker", w, "TrainingRecorded", data | {"ended_on": None, "outcome": None})

    def requalify(self, w: str, cadre: str, on: date) -> Any:
        return self.add("Worker", w, "Requalified", {"cadre_code": cadre, "effective_on": on.isoformat()})

    def leave(self, w: str, on: date) -> Any:
        return self.add("Worker", w, "LeaveStarted", {"kind": "STUDY", "effective_on": on.isoformat()})

    def back(self, w: str, on: date) -> Any:
        return self.add("Worker", w, "LeaveEnded", {"effective_on": on.isoformat()})

    def depart(self, w: str, on: date) -> Any:
        return self.add("Worker", w, "Departed", {"reason": "RESIGNATION", "effective_on": on.isoformat()})

    def rehire(self, w: str, on: date) -> Any:
        return self.add("Worker", w, "Rehired", {"effective_on": on.isoformat()})

    def correct(self, w: str, **fields: Any) -> Any:
        return self.add("Worker", w, "DetailsCorrected", fields)

    def establish(self, code: str, cadre: str, posts: int, on: date, at: str | None = None) -> Any:
        data = {"cadre_code": cadre, "posts": posts, "effective_on": on.isoformat()}
        return self.add("OrgUnit", f"ou-{code}", "EstablishmentSet", data, at=at)

    def retract(self, w: str, version: int, at: str | None = None) -> Any:
        return self.add("Worker", w, "EventRetracted", {"retracted_version": version, "reason": "wrong"}, at=at)


def country() -> Log:
    log = Log()
    log.unit("ML", None, level="COUNTRY")
    log.unit("R1", "ML", level="REGION")
    log.unit("R2", "ML", level="REGION")
    log.unit("D1", "R1", level="DISTRICT")
    log.unit("D2", "R1", level="DISTRICT")
    for facility, district in (("A", "D1"), ("C", "D1"), ("B", "D2")):
        log.unit(facility, district)
    log.cadre("NURSE", "NURSE", True)
    log.cadre("DOC", "DOCTOR", True)
    log.cadre("AIDE", "OTHER", False)
    # Internal aggregates are ignored.
    log.add("CommandReceipt", "receipt-1", "Recorded", {"whatever": 1})
    return log


def hired_at(log: Log, w: str, facility: str, on: date = d("2020-01-01"), **fields: Any) -> None:
    log.hire(w, on, **fields)
    log.post(w, facility, on)


def flows(ref: Reference, code: str, start: date, end: date, interval: str = "MONTH", **kw: Any) -> list[Any]:
    return [(p["period"], p["entries"], p["exits"]) for p in ref.density_series(code, start, end, interval, **kw)]


def test_a_transfer_on_d_puts_the_worker_at_the_new_facility_on_d() -> None:
    log = country()
    hired_at(log, "w", "A")
    log.transfer("w", "A", "B", d("2020-03-01"))
    ref = log.reference()
    assert ref.workers_in_post("A", d("2020-02-29")) == {"w"}
    assert ref.workers_in_post("B", d("2020-02-29")) == set()
    assert ref.workers_in_post("A", d("2020-03-01")) == set()
    assert ref.workers_in_post("B", d("2020-03-01")) == {"w"}
    assert ref.workers_in_post("D2", d("2020-03-01")) == {"w"}
    assert ref.workers_in_post("R1", d("2020-02-29")) == ref.workers_in_post("R1", d("2020-03-01")) == {"w"}
    # January: the posting enters D1; March: the transfer leaves D1 for D2, inside R1.
    assert flows(ref, "D1", d("2020-01-01"), d("2020-03-31")) == [("202001", 1, 0), ("202002", 0, 0), ("202003", 0, 1)]
    assert flows(ref, "D2", d("2020-03-01"), d("2020-03-31")) == [("202003", 1, 0)]
    assert flows(ref, "R1", d("2020-03-01"), d("2020-03-31")) == [("202003", 0, 0)]
    assert flows(ref, "ML", d("2020-01-01"), d("2020-12-31"), "YEAR") == [("2020", 1, 0)]


def test_a_departure_on_d_ends_the_post_on_d() -> None:
    log = country()
    hired_at(log, "w", "A")
    log.depart("w", d("2020-06-01"))
    ref = log.reference()
    assert ref.workers_in_post("A", d("2020-05-31")) == {"w"}
    assert ref.workers_in_post("A", d("2020-06-01")) == set()
    assert flows(ref, "D1", d("2020-05-01"), d("2020-06-30")) == [("202005", 0, 0), ("202006", 0, 1)]
    departure = ref.history("w")[-1]
    assert (departure["kind"], departure["fromFacility"], departure["toFacility"]) == ("DEPARTED", "A", None)


def test_leave_covers_its_first_day_not_its_last_and_a_departure_ends_it() -> None:
    log = country()
    hired_at(log, "w", "A")
    log.leave("w", d("2020-04-01"))
    log.back("w", d("2020-04-10"))
    log.leave("w", d("2020-05-01"))
    log.depart("w", d("2020-06-01"))
    log.rehire("w", d("2020-07-01"))
    log.post("w", "A", d("2020-07-01"))
    ref = log.reference()

    def figures(day: str) -> tuple[int, int, int, int]:
        s = ref.staffing("A", d(day))
        return s["headcount"], s["onLeave"], s["active"], s["qualifiedActive"]

    assert figures("2020-03-31") == (1, 0, 1, 1)
    assert figures("2020-04-01") == (1, 1, 0, 0)
    assert figures("2020-04-09") == (1, 1, 0, 0)
    assert figures("2020-04-10") == (1, 0, 1, 1)
    assert figures("2020-05-31") == (1, 1, 0, 0)
    assert figures("2020-06-01") == (0, 0, 0, 0)
    assert figures("2020-07-01") == (1, 0, 1, 1)
    # Leaves and rehires are not flows; the June departure (on leave, still in post at A) is an exit.
    assert flows(ref, "A", d("2020-04-01"), d("2020-07-31")) == [
        ("202004", 0, 0),
        ("202005", 0, 0),
        ("202006", 0, 1),
        ("202007", 1, 0),
    ]
    on_leave = ref.staffing("A", d("2020-04-01"))
    assert on_leave["byCadreGroup"] == on_leave["bySex"] == on_leave["bySector"] == on_leave["byFundingSource"] == {}
    # A worker on leave is in post.
    assert ref.workers_in_post("A", d("2020-04-01")) == {"w"}


def test_two_movements_on_the_same_day_follow_ledger_order() -> None:
    log = country()
    hired_at(log, "w", "A")
    log.transfer("w", "A", "B", d("2020-03-01"))
    second = log.transfer("w", "B", "C", d("2020-03-01"))
    ref = log.reference()
    assert ref.workers_in_post("C", d("2020-03-01")) == {"w"}
    assert ref.workers_in_post("B", d("2020-03-01")) == set()
    # A→B leaves D1 and enters D2; B→C leaves D2 and enters D1; R1 sees nothing.
    assert flows(ref, "D1", d("2020-03-01"), d("2020-03-31")) == [("202003", 1, 1)]
    assert flows(ref, "D2", d("2020-03-01"), d("2020-03-31")) == [("202003", 1, 1)]
    assert flows(ref, "R1", d("2020-03-01"), d("2020-03-31")) == [("202003", 0, 0)]
    row = next(r for r in ref.history("w") if r["position"] == second["position"])
    assert (row["fromFacility"], row["toFacility"], row["backdated"]) == ("B", "C", False)


def test_a_backdated_transfer_changes_a_later_transfers_origin() -> None:
    log = country()
    hired_at(log, "w", "A")
    june = log.transfer("w", "A", "C", d("2020-06-01"))
    march = log.transfer("w", "A", "B", d("2020-03-01"))
    ref = log.reference()
    history = ref.history("w")
    assert [(r["kind"], r["effectiveOn"]) for r in history] == [
        ("HIRED", d("2020-01-01")),
        ("POSTED", d("2020-01-01")),
        ("TRANSFERRED", d("2020-03-01")),
        ("TRANSFERRED", d("2020-06-01")),
    ]
    facilities = [(r["fromFacility"], r["toFacility"]) for r in history]
    assert facilities == [(None, None), (None, "A"), ("A", "B"), ("B", "C")]
    assert [r["backdated"] for r in history] == [False, False, True, False]
    assert [r["position"] for r in history[2:]] == [march["position"], june["position"]]
    # Now: the posting and the June B→C enter D1, the March A→B leaves it.
    year = (d("2020-01-01"), d("2020-12-31"), "YEAR")
    assert flows(ref, "D1", *year) == [("2020", 2, 1)]
    assert flows(ref, "D2", *year) == [("2020", 1, 1)]
    # Before the March transfer was recorded, A→C stayed inside D1.
    assert flows(ref, "D1", *year, known_at=moment(june)) == [("2020", 1, 0)]
    assert flows(ref, "D2", *year, known_at=moment(june)) == [("2020", 0, 0)]
    assert ref.workers_in_post("B", d("2020-04-01"), known_at=moment(june)) == set()
    assert ref.workers_in_post("B", d("2020-04-01")) == {"w"}


def test_a_retraction_counts_from_the_moment_it_is_recorded() -> None:
    log = country()
    hired_at(log, "w", "A")
    transfer = log.transfer("w", "A", "B", d("2020-03-01"))
    # 01:30 at +02:00 is still 30 April in UTC.
    retraction = log.retract("w", 3, at="2024-05-01T01:30:00+02:00")
    ref = log.reference()
    day = d("2020-04-01")
    assert ref.workers_in_post("A", day, known_at=moment(transfer) - timedelta(seconds=1)) == {"w"}
    assert ref.workers_in_post("B", day, known_at=moment(transfer)) == {"w"}
    assert ref.workers_in_post("B", day, known_at=moment(retraction) - timedelta(microseconds=1)) == {"w"}
    assert ref.workers_in_post("A", day, known_at=moment(retraction)) == {"w"}
    assert ref.workers_in_post("B", day, known_at=moment(retraction)) == set()
    assert ref.workers_in_post("A", day) == {"w"}
    assert ref.staffing("D2", day, known_at=moment(transfer))["headcount"] == 1
    assert ref.staffing("D2", day)["headcount"] == 0
    history = ref.history("w")
    assert [(r["kind"], r["effectiveOn"], r["fromFacility"], r["toFacility"], r["retracted"]) for r in history] == [
        ("HIRED", d("2020-01-01"), None, None, False),
        ("POSTED", d("2020-01-01"), None, "A", False),
        ("TRANSFERRED", d("2020-03-01"), "A", "B", True),
        ("RETRACTED", d("2024-04-30"), None, None, False),
    ]
    assert not any(r["backdated"] for r in history)


def test_a_district_moved_between_regions_moves_stock_without_flows() -> None:
    log = country()
    hired_at(log, "w", "B")
    moved = log.move("D2", "R2", d("2021-01-01"))
    # Two moves on one day: the later in the ledger wins.
    log.move("D2", "R1", d("2022-01-01"))
    log.move("D2", "R2", d("2022-01-01"))
    ref = log.reference()
    assert ref.workers_in_post("R1", d("2020-12-31")) == {"w"}
    assert ref.workers_in_post("R1", d("2021-01-01")) == set()
    assert ref.workers_in_post("R2", d("2021-01-01")) == {"w"}
    assert ref.workers_in_post("R2", d("2022-01-01")) == {"w"}
    assert ref.workers_in_post("R1", d("2021-01-01"), known_at=moment(moved) - timedelta(seconds=1)) == {"w"}

    def series(code: str) -> list[tuple[str, int, int, int]]:
        points = ref.density_series(code, d("2020-01-01"), d("2021-12-31"), "YEAR", None)
        return [(p["period"], p["active"], p["entries"], p["exits"]) for p in points]

    assert series("R1") == [("2020", 1, 1, 0), ("2021", 0, 0, 0)]
    assert series("R2") == [("2020", 0, 0, 0), ("2021", 1, 0, 0)]
    assert series("ML") == [("2020", 1, 1, 0), ("2021", 1, 0, 0)]
    assert set(ref.staffing("R1", d("2020-12-31"))["children"]) == {"D1", "D2"}
    assert set(ref.staffing("R1", d("2021-01-01"))["children"]) == {"D1"}
    r2 = ref.staffing("R2", d("2021-01-01"))
    assert set(r2["children"]) == {"D2"}
    assert r2["children"]["D2"]["headcount"] == 1


def test_population_falls_back_to_the_children_when_every_child_has_one() -> None:
    log = country()
    log.estimate("D1", 2020, 300)
    ref = log.reference()
    assert ref.population("D1", 2020, None) == 300
    assert ref.population("D2", 2020, None) is None
    assert ref.population("R1", 2020, None) is None  # D2 has none
    assert ref.population("ML", 2020, None) is None
    assert ref.population("A", 2020, None) is None  # no children, no estimate
    log.estimate("D2", 2020, 200)
    # A district open and closed within 2020 is not a child on 31 December; one opened in 2021 neither.
    log.unit("D3", "R1", on=d("2020-02-01"), level="DISTRICT")
    log.close("D3", d("2020-06-30"))
    log.unit("D4", "R1", on=d("2021-03-01"), level="DISTRICT")
    first = log.estimate("R2", 2020, 1000)
    second = log.estimate("R1", 2020, 600)
    log.estimate("ML", 2021, 9999)
    log.estimate("R1", 2020, 650)  # the latest estimate recorded wins
    ref = log.reference()
    assert ref.population("R1", 2020, moment(first)) == 500
    assert ref.population("ML", 2020, moment(first)) == 1500
    assert ref.population("R1", 2020, moment(second)) == 600
    assert ref.population("ML", 2020, moment(second)) == 1600
    assert ref.population("R1", 2020, None) == 650
    assert ref.population("ML", 2020, None) == 1650
    assert ref.population("ML", 2021, None) == 9999
    assert ref.population("R1", 2021, None) is None  # D1, D2 and D4 have no 2021 estimate
    # Three active workers in R1 at the end of 2020, two of them qualified.
    hired_at(log, "w1", "A")
    hired_at(log, "w2", "B")
    hired_at(log, "w3", "C", cadre_code="AIDE")
    staffing = log.reference().staffing("R1", d("2020-12-31"))
    assert (staffing["active"], staffing["qualifiedActive"], staffing["population"]) == (3, 2, 650)
    assert staffing["density"] == pytest.approx(3 / 650 * 10000)
    assert staffing["qualifiedDensity"] == pytest.approx(2 / 650 * 10000)
    assert staffing["children"]["D1"]["population"] == 300
    assert staffing["children"]["D1"]["density"] == pytest.approx(2 / 300 * 10000)
    assert ref.staffing("A", d("2020-12-31"))["density"] is None


def test_population_follows_the_tree_on_31_december() -> None:
    log = country()
    log.estimate("D1", 2020, 300)
    log.estimate("D2", 2020, 200)
    log.move("D2", "R2", d("2020-12-31"))
    ref = log.reference()
    assert ref.population("R1", 2020, None) == 300
    assert ref.population("R2", 2020, None) == 200
    assert ref.population("ML", 2020, None) == 500
    log.estimate("A", 2020, 0)
    hired_at(log, "w", "A")
    zero = log.reference().staffing("A", d("2020-06-30"))
    assert (zero["population"], zero["density"], zero["qualifiedDensity"]) == (0, None, None)


def test_requalification_takes_effect_on_its_date() -> None:
    log = country()
    hired_at(log, "w", "A", cadre_code="AIDE")
    log.requalify("w", "NURSE", d("2020-07-01"))
    ref = log.reference()
    before, after = ref.staffing("A", d("2020-06-30")), ref.staffing("A", d("2020-07-01"))
    assert (before["qualifiedActive"], before["byCadreGroup"]) == (0, {"OTHER": 1})
    assert (after["qualifiedActive"], after["byCadreGroup"]) == (1, {"NURSE": 1})


def test_a_rehired_worker_is_in_post_only_once_posted_again() -> None:
    log = country()
    hired_at(log, "w", "A")
    log.depart("w", d("2020-06-01"))
    log.rehire("w", d("2021-01-01"))
    log.post("w", "B", d("2021-02-01"))
    # A worker never posted departs: not an exit.
    log.hire("x", d("2020-01-01"))
    log.depart("x", d("2020-03-01"))
    ref = log.reference()
    assert ref.workers_in_post("A", d("2021-01-15")) == set()
    assert ref.workers_in_post("ML", d("2021-01-15")) == set()
    assert ref.workers_in_post("B", d("2021-02-01")) == {"w"}
    assert flows(ref, "ML", d("2020-01-01"), d("2021-12-31"), "YEAR") == [("2020", 1, 1), ("2021", 1, 0)]
    assert [(r["kind"], r["fromFacility"], r["toFacility"]) for r in ref.history("w")] == [
        ("HIRED", None, None),
        ("POSTED", None, "A"),
        ("DEPARTED", "A", None),
        ("REHIRED", None, None),
        ("POSTED", None, "B"),
    ]
    assert [(r["kind"], r["fromFacility"]) for r in ref.history("x")] == [("HIRED", None), ("DEPARTED", None)]


def test_period_labels_and_end_dates() -> None:
    log = country()
    hired_at(log, "w", "A", on=d("2016-01-04"))
    log.transfer("w", "A", "B", d("2016-02-29"))
    log.transfer("w", "B", "A", d("2016-03-01"))
    ref = log.reference()
    feb = ref.density_series("D2", d("2016-02-01"), d("2016-03-30"), "MONTH", None)
    assert [(p["period"], p["endOn"], p["active"], p["entries"], p["exits"]) for p in feb] == [
        ("201602", d("2016-02-29"), 1, 1, 0)
    ]
    months = ref.density_series("D2", d("2016-01-15"), d("2016-03-31"), "MONTH", None)
    assert [(p["period"], p["endOn"], p["active"]) for p in months] == [
        ("201601", d("2016-01-31"), 0),
        ("201602", d("2016-02-29"), 1),
        ("201603", d("2016-03-31"), 0),
    ]
    assert [(p["entries"], p["exits"]) for p in months] == [(0, 0), (1, 0), (0, 1)]
    quarters = ref.density_series("ML", d("2016-01-01"), d("2016-12-31"), "QUARTER", None)
    assert [(p["period"], p["endOn"]) for p in quarters] == [
        ("2016Q1", d("2016-03-31")),
        ("2016Q2", d("2016-06-30")),
        ("2016Q3", d("2016-09-30")),
        ("2016Q4", d("2016-12-31")),
    ]
    years = ref.density_series("ML", d("2015-06-01"), d("2017-12-30"), "YEAR", None)
    assert [(p["period"], p["endOn"], p["active"], p["population"], p["density"]) for p in years] == [
        ("2015", d("2015-12-31"), 0, None, None),
        ("2016", d("2016-12-31"), 1, None, None),
    ]
    assert ref.density_series("ML", d("2016-01-02"), d("2016-01-30"), "MONTH", None) == []


def test_backdated_flag() -> None:
    log = country()
    log.hire("w", d("2020-01-01"))  # v1
    log.post("w", "A", d("2020-01-01"))  # v2
    log.transfer("w", "A", "B", d("2020-06-01"))  # v3
    log.retract("w", 3)  # v4
    log.leave("w", d("2020-03-01"))  # v5: the only later event was already retracted
    log.train("w", d("2020-02-01"))  # v6: the leave of 1 March was on record
    log.correct("w", family_name="Diarra")  # v7: no effective date
    log.requalify("w", "DOC", d("2020-03-01"))  # v8: same day as the leave, not later
    ref = log.reference()
    flags = {r["kind"]: (r["effectiveOn"], r["backdated"]) for r in ref.history("w")}
    assert flags["TRANSFERRED"] == (d("2020-06-01"), False)
    assert flags["LEAVE_STARTED"] == (d("2020-03-01"), False)
    assert flags["TRAINING_RECORDED"] == (d("2020-02-01"), True)
    assert flags["DETAILS_CORRECTED"] == (BASE.date(), False)
    assert flags["REQUALIFIED"] == (d("2020-03-01"), False)
    assert flags["RETRACTED"] == (BASE.date(), False)
    assert [r["kind"] for r in ref.history("w")] == [
        "HIRED",
        "POSTED",
        "TRAINING_RECORDED",
        "LEAVE_STARTED",
        "REQUALIFIED",
        "TRANSFERRED",
        "RETRACTED",
        "DETAILS_CORRECTED",
    ]


def test_staffing_breakdowns_and_children() -> None:
    log = country()
    hired_at(log, "w1", "A")
    hired_at(log, "w2", "A", sex="MALE", sector="PRIVATE", funding_source="PARTNER", cadre_code="DOC")
    hired_at(log, "w3", "A", sex="MALE", cadre_code="AIDE")
    hired_at(log, "w4", "A", sex="MALE", sector="COMMUNITY")
    log.leave("w4", d("2020-02-01"))
    log.correct("w1", sex="MALE")
    log.correct("w1", sex="FEMALE", funding_source="LOCAL_GOVERNMENT")
    log.close("C", d("2020-06-30"))
    ref = log.reference()
    s = ref.staffing("D1", d("2020-06-29"))
    assert (s["headcount"], s["onLeave"], s["active"], s["qualifiedActive"]) == (4, 1, 3, 2)
    assert s["byCadreGroup"] == {"NURSE": 1, "DOCTOR": 1, "OTHER": 1}
    assert s["bySex"] == {"FEMALE": 1, "MALE": 2}
    assert s["bySector"] == {"PUBLIC": 2, "PRIVATE": 1}
    assert s["byFundingSource"] == {"LOCAL_GOVERNMENT": 1, "PARTNER": 1, "STATE": 1}
    assert (s["population"], s["density"], s["qualifiedDensity"]) == (None, None, None)
    assert set(s["children"]) == {"A", "C"}
    assert s["children"]["A"]["headcount"] == 4
    empty = s["children"]["C"]
    assert (empty["headcount"], empty["active"], empty["bySex"], empty["byCadreGroup"]) == (0, 0, {}, {})
    assert set(ref.staffing("D1", d("2020-06-30"))["children"]) == {"A"}


def test_completeness() -> None:
    log = country()
    hired_at(log, "w1", "A")
    hired_at(log, "w2", "A", civil_service_number=None, birth_date=None)
    hired_at(log, "w3", "A", civil_service_number=None)
    log.correct("w3", civil_service_number="CSN-3")
    hired_at(log, "w4", "C", birth_date=None)
    log.leave("w4", d("2020-03-01"))
    hired_at(log, "w5", "B", civil_service_number=None)
    ref = log.reference()
    assert ref.completeness("D1", d("2020-06-01")) == {
        "workers": 4,
        "complete": 2,
        "rate": 0.5,
        "missing": {"civilServiceNumber": 1, "birthDate": 2},
    }
    assert ref.completeness("R2", d("2020-06-01")) == {"workers": 0, "complete": 0, "rate": 0.0, "missing": {}}


def test_establishment_sums_vacancies_and_surpluses_pair_by_pair() -> None:
    log = country()
    log.establish("A", "NURSE", 3, d("2020-01-01"))
    log.establish("A", "DOC", 1, d("2020-01-01"))
    log.establish("B", "NURSE", 1, d("2020-01-01"))
    for w in ("n1", "n2"):
        hired_at(log, w, "A")
    hired_at(log, "d1", "A", cadre_code="DOC")
    hired_at(log, "d2", "A", cadre_code="DOC")
    for w in ("n3", "n4"):
        hired_at(log, w, "B")
    hired_at(log, "aide", "C", cadre_code="AIDE")  # no posts set at C: in neither figure
    log.leave("n1", d("2020-02-01"))  # on leave, still holds the post
    ref = log.reference()
    a = ref.establishment("A", d("2020-03-01"))
    assert (a["posts"], a["filled"], a["vacant"], a["surplus"]) == (4, 4, 1, 1)
    assert a["vacancyRate"] == 0.25
    assert a["byCadreGroup"]["NURSE"] == {"posts": 3, "filled": 2, "vacant": 1, "surplus": 0}
    assert a["byCadreGroup"]["DOCTOR"] == {"posts": 1, "filled": 2, "vacant": 0, "surplus": 1}
    # R1 covers A and B: B's surplus nurse does not hide A's vacant nurse post.
    r1 = ref.establishment("R1", d("2020-03-01"))
    assert (r1["posts"], r1["filled"], r1["vacant"], r1["surplus"]) == (5, 6, 1, 2)
    assert sorted(r1["children"]) == ["D1", "D2"]
    assert r1["children"]["D2"]["surplus"] == 1
    # R2 has no posts set.
    assert ref.establishment("R2", d("2020-03-01"))["vacancyRate"] is None


def test_establishment_follows_effective_dates_known_at_and_requalification() -> None:
    log = country()
    log.establish("A", "NURSE", 2, d("2020-01-01"))
    hired_at(log, "w", "A")
    before_cut = log.lines[-1]["recorded_at"]
    log.establish("A", "NURSE", 1, d("2021-01-01"))
    log.requalify("w", "DOC", d("2021-06-01"))
    ref = log.reference()
    assert ref.establishment("A", d("2019-12-31"))["posts"] == 0
    assert (ref.establishment("A", d("2020-12-31"))["posts"], ref.establishment("A", d("2021-01-01"))["posts"]) == (
        2,
        1,
    )
    assert ref.establishment("A", d("2021-01-01"), known_at=datetime.fromisoformat(before_cut))["posts"] == 2
    # After requalifying, the worker fills no nurse post (no doctor posts are set at A).
    after = ref.establishment("A", d("2021-06-01"))
    assert (after["posts"], after["filled"], after["vacant"]) == (1, 0, 1)
