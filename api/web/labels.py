"""What the pages call the API's enum values and movement kinds, in English (translated by the catalogue)."""

from domain.errors import N_

LABELS = {
    # Roles
    "ADMIN": N_("administrator"),
    "HR_MANAGER": N_("HR manager"),
    "AUDITOR": N_("auditor"),
    "PLANNER": N_("planner"),
    # Sex
    "FEMALE": N_("female"),
    "MALE": N_("male"),
    # Sectors
    "PUBLIC": N_("public"),
    "PARAPUBLIC": N_("parapublic"),
    "COMMUNITY": N_("community"),
    "PRIVATE": N_("private"),
    # Funding sources
    "STATE": N_("state"),
    "LOCAL_GOVERNMENT": N_("local government"),
    "PARTNER": N_("partner"),
    # Statuses and movements
    "HIRED": N_("hired"),
    "POSTED": N_("posted"),
    "ON_LEAVE": N_("on leave"),
    "DEPARTED": N_("departed"),
    "TRANSFERRED": N_("transferred"),
    "LEAVE_STARTED": N_("leave started"),
    "LEAVE_ENDED": N_("leave ended"),
    "REQUALIFIED": N_("requalified"),
    "REHIRED": N_("rehired"),
    "RETRACTED": N_("retraction"),
    "TRAINING_RECORDED": N_("training recorded"),
    "DETAILS_CORRECTED": N_("details corrected"),
    "OPENED": N_("unit opened"),
    "MOVED": N_("unit moved"),
    "RENAMED": N_("unit renamed"),
    "CLOSED": N_("unit closed"),
    "POPULATION_ESTIMATED": N_("population estimated"),
    "ESTABLISHMENT_SET": N_("establishment set"),
    "DEFINED": N_("cadre defined"),
    # Leave kinds
    "STUDY": N_("study"),
    "MATERNITY": N_("maternity"),
    "SECONDMENT": N_("secondment"),
    "SICK": N_("sick"),
    "OTHER": N_("other"),
    # Departure reasons
    "RETIREMENT": N_("retirement"),
    "RESIGNATION": N_("resignation"),
    "DEATH": N_("death"),
    "DISMISSAL": N_("dismissal"),
    "EMIGRATION": N_("emigration"),
    "END_OF_CONTRACT": N_("end of contract"),
    # Cadre groups
    "DOCTOR": N_("doctors"),
    "NURSE": N_("nurses"),
    "MIDWIFE": N_("midwives"),
    "PHARMACIST": N_("pharmacists"),
    # Org-unit levels
    "COUNTRY": N_("country"),
    "REGION": N_("region"),
    "DISTRICT": N_("district"),
    "FACILITY": N_("facility"),
    # Intervals
    "YEAR": N_("year"),
    "QUARTER": N_("quarter"),
    "MONTH": N_("month"),
}

EVENT_KINDS = (
    "HIRED",
    "POSTED",
    "TRANSFERRED",
    "TRAINING_RECORDED",
    "LEAVE_STARTED",
    "LEAVE_ENDED",
    "REQUALIFIED",
    "DEPARTED",
    "REHIRED",
    "DETAILS_CORRECTED",
    "RETRACTED",
    "OPENED",
    "MOVED",
    "RENAMED",
    "CLOSED",
    "POPULATION_ESTIMATED",
    "ESTABLISHMENT_SET",
    "DEFINED",
)
"""The kinds of event, in the order a reader looks for them (the audit trail's filter)."""


def label(value: str | None) -> str:
    """The English label of an enum value (the value itself when it has none)."""
    return "" if value is None else LABELS.get(value, value)
