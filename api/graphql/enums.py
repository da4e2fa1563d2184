"""The domain's enums, as the contract names them: registered here with strawberry, and imported from here.

strawberry marks each class itself, so a resolver's annotation names the domain enum directly
(``sex: Sex``) and its values are the domain's own members.
"""

import strawberry

from api.access import Role
from domain.values import CadreGroup, DepartureReason, FundingSource, LeaveKind, OrgUnitLevel, Sector, Sex

for exposed in (OrgUnitLevel, Sector, Sex, CadreGroup, FundingSource, DepartureReason, LeaveKind, Role):
    strawberry.enum(exposed)

__all__ = ["CadreGroup", "DepartureReason", "FundingSource", "LeaveKind", "OrgUnitLevel", "Role", "Sector", "Sex"]
