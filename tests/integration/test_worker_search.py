"""Finding a worker (``searchWorkers``), what a retraction retracted (``Movement.retractedPosition``), a leave's
kind and a training's course (``Movement.leaveKind``, ``Movement.course``),
over GraphQL against the read tables of a real ledger."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from api.access import Role, User
from domain import commands as c
from domain.ledger import Ledger
from domain.values import FundingSource, LeaveKind, Sector, Sex
from tests.integration.projection_support import catch_up, differences, fresh_ledger
from tests.integration.test_api_queries import run_query
from tests.integration.test_projections import Recorder, org_tree

pytestmark = pytest.mark.integration

ADMIN = User("admin", Role.ADMIN)
AUDITOR = User("auditor", Role.AUDITOR)
PLANNER = User("planner", Role.PLANNER)
MANAGER = User("d1manager", Role.HR_MANAGER, scope_code="D1")  # D1 holds F1 and F2
HIRED = date(2023, 1, 2)
SEARCH = "query($text: String!, $first: Int) { searchWorkers(text: $text, first: $first) { familyName givenNames } }"


def hire(record: Recorder, family: str, given: str, number: str | None = None, facility: str | None = None) -> Any:
    """Hires a worker (and posts them to ``facility``); their id."""
    assert record(
        c.HireWorker(
            family_name=family,
            given_names=given,
            civil_service_number=number,
            sex=Sex.FEMALE,
            cadre_code="NURSE",
            sector=Sector.PUBLIC,
            funding_source=FundingSource.STATE,
            effective_on=HIRED,
        )
    )
    worker_id = record.workers[-1]
    if facility is not None:
        assert record(c.PostWorker(worker_id=worker_id, facility_code=facility, effective_on=HIRED))
    return worker_id


class Story:
    """The ledger the tests search, and what they need to know about it."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        record = Recorder(ledger)
        org_tree(record)
        hire(record, "Traoré", "Aminata", "MLI-1001", "F1")
        hire(record, "TRAORÉ", "Fatoumata", "MLI-1002", "F3")
        hire(record, "Diarra", "Awa Traoré", "MLI-10", "F1")
        hire(record, "N'Diaye", "Ibrahima", None, "F2")
        # Transferred out of D1: an HR manager of D1 no longer finds him.
        self.moved = hire(record, "Coulibaly", "Seydou", "MLI-2000", "F1")
        assert record(c.TransferWorker(worker_id=self.moved, to_facility_code="F4", effective_on=date(2023, 6, 1)))
        # A transfer, then its retraction.
        self.retracted = hire(record, "Sangaré", "Oumou", "MLI-3000", "F2")
        assert record(c.TransferWorker(worker_id=self.retracted, to_facility_code="F3", effective_on=date(2023, 3, 1)))
        self.transfer_position = record.positions[self.retracted][-1]
        assert record(c.RetractEvent(worker_id=self.retracted, position=self.transfer_position, reason="Wrong worker"))
        self.retraction_position = record.positions[self.retracted][-1]
        # Corrected: found by the new family name only.
        corrected = hire(record, "Dembele", "Kadia", "MLI-4000", "F2")
        assert record(c.CorrectWorkerDetails(worker_id=corrected, family_name="Dembélé-Sidibé"))
        # A leave and a training: their history entries say the leave's kind and the course.
        self.trained = hire(record, "Ba", "Kadidia", None, "F4")
        assert record(c.StartLeave(worker_id=self.trained, kind=LeaveKind.MATERNITY, effective_on=date(2023, 4, 3)))
        assert record(c.EndLeave(worker_id=self.trained, effective_on=date(2023, 7, 3)))
        assert record(c.RecordTraining(worker_id=self.trained, course="PCIME", started_on=date(2023, 9, 4)))
        # Never posted: one hired by the D1 manager (theirs), one by a clerk (not theirs).
        hire(record, "Keita", "Oumar")
        record.now += timedelta(hours=1)
        self.ledger.execute(hire_command("Keïta", "Mariam"), MANAGER.name, recorded_at=record.now)


def hire_command(family: str, given: str) -> c.HireWorker:
    return c.HireWorker(
        family_name=family,
        given_names=given,
        sex=Sex.FEMALE,
        cadre_code="NURSE",
        sector=Sector.PUBLIC,
        funding_source=FundingSource.STATE,
        effective_on=HIRED,
    )


@pytest.fixture(scope="module")
def story(database_url: str) -> Iterator[Story]:
    with fresh_ledger(database_url) as made:
        told = Story(made)
        catch_up(database_url, made)
        yield told


def found(url: str, story: Story, text: str, user: User = ADMIN, first: int | None = None) -> list[str]:
    """The names ``searchWorkers`` gives for ``text``, in its order."""
    variables: dict[str, Any] = {"text": text} if first is None else {"text": text, "first": first}
    result, _ = run_query(url, story.ledger, user, SEARCH, variables)
    assert result.errors is None, result.errors
    return [f"{w['familyName']} {w['givenNames']}" for w in result.data["searchWorkers"]]


def refusal(url: str, story: Story, text: str, user: User = ADMIN, first: int | None = None) -> str:
    variables: dict[str, Any] = {"text": text} if first is None else {"text": text, "first": first}
    result, _ = run_query(url, story.ledger, user, SEARCH, variables)
    assert result.errors is not None and result.data is None
    return str(result.errors[0].extensions["code"])


def test_a_name_is_found_whatever_its_case_and_accents_family_name_first(database_url: str, story: Story) -> None:
    expected = ["Traoré Aminata", "TRAORÉ Fatoumata", "Diarra Awa Traoré"]
    assert found(database_url, story, "traore") == expected
    assert found(database_url, story, "TRAORÉ") == expected
    assert found(database_url, story, "  Trao ") == expected  # the beginning of a name is enough
    assert found(database_url, story, "keita") == ["Keïta Mariam", "Keita Oumar"]
    assert found(database_url, story, "dembele") == ["Dembélé-Sidibé Kadia"]  # as corrected
    assert found(database_url, story, "sidibe") == ["Dembélé-Sidibé Kadia"]
    assert found(database_url, story, "raore") == []  # words are found by their beginning


def test_several_words_must_each_match(database_url: str, story: Story) -> None:
    assert found(database_url, story, "traore ami") == ["Traoré Aminata"]
    assert found(database_url, story, "Aminata Traoré") == ["Traoré Aminata"]
    assert found(database_url, story, "awa traore") == ["Diarra Awa Traoré"]
    assert found(database_url, story, "traore seydou") == []


def test_a_name_with_an_apostrophe_is_found_with_or_without_it(database_url: str, story: Story) -> None:
    for text in ("N'Diaye", "ndiaye", "n’diaye", "diaye"):
        assert found(database_url, story, text) == ["N'Diaye Ibrahima"], text


def test_a_civil_service_number_is_found_exact_first_then_by_its_beginning(database_url: str, story: Story) -> None:
    assert found(database_url, story, "mli-10") == ["Diarra Awa Traoré", "Traoré Aminata", "TRAORÉ Fatoumata"]
    assert found(database_url, story, " MLI-1002 ") == ["TRAORÉ Fatoumata"]
    assert found(database_url, story, "MLI-100") == ["Traoré Aminata", "TRAORÉ Fatoumata"]


def test_a_facility_code_lists_the_workers_whose_facility_it_is_now(database_url: str, story: Story) -> None:
    # Sangaré's transfer to F3 was retracted, Coulibaly left F1 for F4.
    assert found(database_url, story, "F3") == ["TRAORÉ Fatoumata"]
    assert found(database_url, story, "F1") == ["Diarra Awa Traoré", "Traoré Aminata"]
    assert found(database_url, story, "F4") == ["Ba Kadidia", "Coulibaly Seydou"]


def test_first_bounds_the_list(database_url: str, story: Story) -> None:
    assert found(database_url, story, "traore", first=1) == ["Traoré Aminata"]
    assert len(found(database_url, story, "mli")) == 6
    assert refusal(database_url, story, "traore", first=0) == "BAD_USER_INPUT"
    assert refusal(database_url, story, "traore", first=501) == "BAD_USER_INPUT"


def test_an_hr_manager_finds_only_the_workers_in_scope_now(database_url: str, story: Story) -> None:
    assert found(database_url, story, "traore", MANAGER) == ["Traoré Aminata", "Diarra Awa Traoré"]
    assert found(database_url, story, "coulibaly", ADMIN) == ["Coulibaly Seydou"]
    assert found(database_url, story, "coulibaly", MANAGER) == []  # transferred out of D1
    assert found(database_url, story, "F4", MANAGER) == []
    assert found(database_url, story, "keita", MANAGER) == ["Keïta Mariam"]  # never posted, hired by them
    assert found(database_url, story, "keita", AUDITOR) == ["Keïta Mariam", "Keita Oumar"]
    # The first match (Coulibaly) is out of scope: the search reads on until it has one to show.
    assert found(database_url, story, "mli", MANAGER, first=1) == ["Dembélé-Sidibé Kadia"]
    assert found(database_url, story, "mli", MANAGER) == [
        "Dembélé-Sidibé Kadia",
        "Diarra Awa Traoré",
        "Sangaré Oumou",
        "Traoré Aminata",
    ]


def test_planners_may_not_search(database_url: str, story: Story) -> None:
    assert refusal(database_url, story, "traore", PLANNER) == "FORBIDDEN"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\t\n", "\u200b", "x" * 201, "trao\x00re"],
    ids=["empty", "blank", "whitespace", "invisible", "too-long", "nul"],
)
def test_a_blank_overlong_or_unstorable_text_is_bad_user_input(database_url: str, story: Story, text: str) -> None:
    assert refusal(database_url, story, text) == "BAD_USER_INPUT"


def test_text_that_folds_to_no_word_finds_nothing(database_url: str, story: Story) -> None:
    assert found(database_url, story, "--") == []


def test_a_retraction_names_the_position_of_the_event_it_retracted(database_url: str, story: Story) -> None:
    query = "query($id: ID!) { worker(id: $id) { history { kind position retracted retractedPosition } } }"
    result, _ = run_query(database_url, story.ledger, AUDITOR, query, {"id": str(story.retracted)})
    assert result.errors is None, result.errors
    history = {m["position"]: m for m in result.data["worker"]["history"]}
    assert history[story.transfer_position]["retracted"] is True
    assert history[story.transfer_position]["retractedPosition"] is None
    assert history[story.retraction_position]["retractedPosition"] == story.transfer_position
    others = [m for p, m in history.items() if p != story.retraction_position]
    assert len(others) == 3 and all(m["retractedPosition"] is None for m in others)


def test_a_rebuild_gives_the_same_search_keys(database_url: str, story: Story) -> None:
    assert differences(database_url, story.ledger) == []


def test_the_workers_found_load_their_fields_in_a_constant_number_of_statements(
    database_url: str, story: Story
) -> None:
    query = (
        'query($first: Int) { searchWorkers(text: "mli", first: $first) '
        "{ familyName cadre { code } facility { code } history { kind retractedPosition } trainings { course } } }"
    )
    few, statements_for_few = run_query(database_url, story.ledger, ADMIN, query, {"first": 2})
    many, statements_for_many = run_query(database_url, story.ledger, ADMIN, query, {"first": 6})
    assert few.errors is None and many.errors is None, (few.errors, many.errors)
    assert (len(few.data["searchWorkers"]), len(many.data["searchWorkers"])) == (2, 6)
    assert statements_for_few == statements_for_many  # no statement per worker found


def test_a_history_says_the_kind_of_a_leave_and_the_course_of_a_training(database_url: str, story: Story) -> None:
    query = "query($id: ID!) { worker(id: $id) { history { kind leaveKind course } } }"
    result, _ = run_query(database_url, story.ledger, AUDITOR, query, {"id": str(story.trained)})
    assert result.errors is None, result.errors
    assert result.data["worker"]["history"] == [
        {"kind": "HIRED", "leaveKind": None, "course": None},
        {"kind": "POSTED", "leaveKind": None, "course": None},
        {"kind": "LEAVE_STARTED", "leaveKind": "MATERNITY", "course": None},
        {"kind": "LEAVE_ENDED", "leaveKind": None, "course": None},
        {"kind": "TRAINING_RECORDED", "leaveKind": None, "course": "PCIME"},
    ]


def test_a_history_as_known_at_a_moment_holds_what_was_recorded_by_then(database_url: str, story: Story) -> None:
    query = "query($id: ID!, $at: DateTime) { worker(id: $id) { history(knownAt: $at) { position retracted } } }"

    def history(at: str | None) -> dict[int, bool]:
        result, _ = run_query(database_url, story.ledger, AUDITOR, query, {"id": str(story.retracted), "at": at})
        assert result.errors is None, result.errors
        return {m["position"]: m["retracted"] for m in result.data["worker"]["history"]}

    recorded = "query($id: ID!) { worker(id: $id) { history { position recordedAt } } }"
    result, _ = run_query(database_url, story.ledger, AUDITOR, recorded, {"id": str(story.retracted)})
    assert result.errors is None, result.errors
    transfer_recorded = next(
        m["recordedAt"] for m in result.data["worker"]["history"] if m["position"] == story.transfer_position
    )
    # Between the transfer and its retraction: the transfer in force, the retraction not yet there.
    before = history(transfer_recorded)
    assert before[story.transfer_position] is False and story.retraction_position not in before
    now = history(None)
    assert now[story.transfer_position] is True and story.retraction_position in now
