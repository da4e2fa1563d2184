"""How often, and for how long, things happen in the demo's careers: the rates that
``replay.demo_careers`` draws transfers, trainings, leaves and rehires from."""

from domain.values import DepartureReason, LeaveKind, Sector

DEFERRED = {"transfer": 0.7, "training": 0.35}
"""How often a transfer or training is entered late, when the worker's next event follows soon."""
LEAVE_DAYS = {
    LeaveKind.SICK: (14, 180),
    LeaveKind.SECONDMENT: (365, 730),
    LeaveKind.OTHER: (90, 720),
    LeaveKind.STUDY: (180, 720),
}
"""The shortest and longest leave of each kind, in days; maternity leave lasts 14 weeks."""
STUDY_DAYS = {"TS": 1095, "MAT": 1095, "MED-GEN": 1460, "AM": 730}
"""How long the studies that lead to a new cadre last, in days."""
REHIRE_RATE = {
    DepartureReason.RESIGNATION: 0.15,
    DepartureReason.END_OF_CONTRACT: 0.35,
    DepartureReason.EMIGRATION: 0.1,
    DepartureReason.OTHER: 0.1,
}
"""How often a worker who left for each reason comes back."""
ATTRACTION = {"BKO": 3.0, "KOU": 2.0, "SIK": 1.5, "SEG": 1.2, "KAY": 1.0, "MOP": 0.6}
"""How strongly each region draws transfers from other regions (0.4 when not named), per staff place."""
TRANSFER_REASONS = ("Nécessité de service", "Nécessité de service", "Rapprochement familial", "Sur demande")

SECTOR_KINDS = {
    Sector.PUBLIC: frozenset({"CSCOM", "CSREF", "HOPITAL_REGIONAL", "HOPITAL_NATIONAL"}),
    Sector.PARAPUBLIC: frozenset({"CSCOM", "CSREF", "HOPITAL_REGIONAL", "HOPITAL_NATIONAL"}),
    Sector.COMMUNITY: frozenset({"CSCOM"}),
    Sector.PRIVATE: frozenset({"CLINIQUE"}),
}
