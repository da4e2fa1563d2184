"""The schema offers the names that the built issues add in contract-next.graphql (#5 trust, #6 the
house, #7 the pages' search and retracted positions), read together with contract.graphql, as the
shared check does."""

import importlib.util
from pathlib import Path
from types import ModuleType

from api.graphql.schema import schema

CONTRACT = Path(__file__).resolve().parents[1] / "contract"
SHARED = Path(__file__).resolve().parents[3] / "shared"
BUILT = ("#5", "#6", "#7")  # the sections of contract-next.graphql whose issues are built


def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_contract", CONTRACT / "check_contract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def built_sections(text: str) -> str:
    """The sections of contract-next.graphql named in BUILT (each starts with ``# --- #N``)."""
    sections = text.split("# --- ")
    return "\n".join("# --- " + part for part in sections[1:] if part.startswith(BUILT))


def test_the_copy_of_contract_next_matches_the_shared_one() -> None:
    if (SHARED / "contract-next.graphql").is_file():
        assert (CONTRACT / "contract-next.graphql").read_text() == (SHARED / "contract-next.graphql").read_text()


def test_the_schema_offers_the_names_of_the_built_issues() -> None:
    next_names = built_sections((CONTRACT / "contract-next.graphql").read_text())
    assert "setEstablishment" in next_names and "chainHead" in next_names
    assert "searchWorkers" in next_names and "retractedPosition" in next_names
    contract = (CONTRACT / "contract.graphql").read_text() + "\n" + next_names
    assert checker().check(contract, schema.as_str()) == []
