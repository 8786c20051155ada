"""A small world of people and organisations, told to the notifier through identity's events."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from passerelle.libs.testing.tokens import org_claim
from passerelle.schemas import Event
from passerelle.schemas.events import contracts as c
from passerelle.schemas.events import identity as i
from passerelle.schemas.events.common import ContractParties

from .conftest import unique_address


@dataclass
class Person:
    account_id: uuid.UUID
    email: str
    full_name: str
    orgs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Org:
    organisation_id: uuid.UUID
    kind: str
    name: str
    siret: str | None = None
    uai: str | None = None
    opco_code: str | None = None


def _digits(n: int) -> str:
    return "".join(random.choice("0123456789") for _ in range(n))


class World:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.employer = Org(uuid.uuid4(), "employer", "Boulangerie Dupain", siret=_digits(14))
        self.cfa = Org(uuid.uuid4(), "training", "CFA des Métiers", siret=_digits(14), uai=_digits(7) + "P")
        self.opco = Org(uuid.uuid4(), "opco", "OPCOMMERCE", opco_code="OPC" + _digits(4))
        for org in (self.employer, self.cfa, self.opco):
            self.events.append(
                i.OrganisationRegistered(
                    organisation_id=org.organisation_id,
                    kind=org.kind,
                    name=org.name,
                    siret=org.siret,  # type: ignore[arg-type]
                    siren=org.siret[:9] if org.siret else None,
                    uai=org.uai,
                    opco_code=org.opco_code,
                )
            )

    def person(self, name: str, org: Org | None = None, role: str = "contributor") -> Person:
        person = Person(uuid.uuid4(), unique_address(name.split()[0].lower()), name)
        self.events.append(
            i.AccountRegistered(
                account_id=person.account_id, email=person.email, full_name=name, registered_at=datetime.now(UTC)
            )
        )
        if org is not None:
            self.join(person, org, role)
        return person

    def join(self, person: Person, org: Org, role: str) -> i.MembershipGranted:
        event = i.MembershipGranted(
            membership_id=uuid.uuid4(),
            account_id=person.account_id,
            email=person.email,
            full_name=person.full_name,
            organisation_id=org.organisation_id,
            organisation_kind=org.kind,
            siret=org.siret,  # type: ignore[arg-type]
            siren=org.siret[:9] if org.siret else None,
            uai=org.uai,
            opco_code=org.opco_code,
            role=role,  # type: ignore[arg-type]
        )
        self.events.append(event)
        person.orgs.append(
            org_claim(
                org.kind, role, organisation_id=org.organisation_id, siret=org.siret, uai=org.uai, opco=org.opco_code
            )
        )
        return event

    def drain(self) -> list[Event]:
        out, self.events = self.events, []
        return out

    def parties(self) -> ContractParties:
        return ContractParties(
            employer_siret=self.employer.siret,
            training_uai=self.cfa.uai,
            training_siret=self.cfa.siret,
            opco_code=self.opco.opco_code,
        )

    def contract(self, contract_id: uuid.UUID, cls: type[c.ContractEvent], actor: Person | None, **kw: Any) -> Any:
        return cls(
            contract_id=contract_id,
            contract_type="apprentissage",
            parties=self.parties(),
            actor_id=actor.account_id if actor else None,
            **kw,
        )
