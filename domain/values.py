"""Value objects and enumerations of the workforce ledger."""

import enum
from dataclasses import dataclass
from datetime import date


class OrgUnitLevel(enum.Enum):
    """Levels of the org tree, from the top down."""

    COUNTRY = 0
    REGION = 1
    DISTRICT = 2
    FACILITY = 3


class Sector(enum.Enum):
    PUBLIC = "PUBLIC"
    PARAPUBLIC = "PARAPUBLIC"
    COMMUNITY = "COMMUNITY"
    PRIVATE = "PRIVATE"


class Sex(enum.Enum):
    FEMALE = "FEMALE"
    MALE = "MALE"


class CadreGroup(enum.Enum):
    DOCTOR = "DOCTOR"
    NURSE = "NURSE"
    MIDWIFE = "MIDWIFE"
    PHARMACIST = "PHARMACIST"
    OTHER = "OTHER"


class FundingSource(enum.Enum):
    STATE = "STATE"
    LOCAL_GOVERNMENT = "LOCAL_GOVERNMENT"
    COMMUNITY = "COMMUNITY"
    PARTNER = "PARTNER"
    PRIVATE = "PRIVATE"


class DepartureReason(enum.Enum):
    RETIREMENT = "RETIREMENT"
    RESIGNATION = "RESIGNATION"
    DEATH = "DEATH"
    DISMISSAL = "DISMISSAL"
    EMIGRATION = "EMIGRATION"
    END_OF_CONTRACT = "END_OF_CONTRACT"
    OTHER = "OTHER"


class LeaveKind(enum.Enum):
    STUDY = "STUDY"
    MATERNITY = "MATERNITY"
    SECONDMENT = "SECONDMENT"
    SICK = "SICK"
    OTHER = "OTHER"


ENUMS: tuple[type[enum.Enum], ...] = (
    OrgUnitLevel,
    Sector,
    Sex,
    CadreGroup,
    FundingSource,
    DepartureReason,
    LeaveKind,
)


@dataclass(frozen=True)
class Provenance:
    """Who recorded an event, on what authority, and for which command.

    Attributes:
        recorded_by: the user name of the recorder.
        authority: the decision or arrêté number, when there is one.
        note: free text from the recorder.
        command_id: the client's idempotency key, when it sent one.
    """

    recorded_by: str
    authority: str | None = None
    note: str | None = None
    command_id: str | None = None


@dataclass(frozen=True)
class Period:
    """A half-open span of days [start, end); ``end`` None means still running."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)
