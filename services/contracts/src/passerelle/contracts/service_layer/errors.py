"""Errors of the use cases, as the platform's one error family (a kind, a machine code, a French message).

The domain's own errors (passerelle.contracts.domain.errors) carry their kind too: no wrapper converts them.
"""

from __future__ import annotations

from passerelle.libs.errors import Conflict, FieldError, Forbidden, NotFound


class ContractNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Ce contrat est introuvable ou vous n'y avez pas accès.", "contract_not_found")


class ConcurrentModification(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Ce contrat a été modifié entre-temps par quelqu'un d'autre : rechargez-le avant de l'enregistrer.",
            "contract_modified_concurrently",
        )


class SideNotAllowed(Forbidden):
    def __init__(self, message: str) -> None:
        super().__init__(message, "contract_side_not_allowed")


class OrganisationNotVerified(Forbidden):
    """A private draft (drafted while its organisation is not verified) cannot leave its creator's hands yet."""

    def __init__(self, message: str) -> None:
        field = FieldError("organisation", "organisation_not_verified", message)
        super().__init__(message, "organisation_not_verified", fields=[field])
