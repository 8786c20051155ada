"""The demonstration world: `python -m passerelle.identity.cli` (idempotent).

A training organisation with two accounts, two establishments of one company and a third company, an
OPCO with its administrator, a supervisor and a reviewer. Every account's password is the value of
PASSERELLE_DEMO_PASSWORD: it never lives in the code. The identifiers are those of the contracts
service's offline referential, so a demo contract's parties are these organisations.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from passerelle.identity.bootstrap import bootstrap
from passerelle.identity.config import Settings
from passerelle.identity.context import IdentityContext
from passerelle.identity.domain.errors import InvalidInput
from passerelle.identity.domain.roles import ROLE_LABELS, Role
from passerelle.identity.service_layer import commands, provisioning
from passerelle.libs.migrations import upgrade

SERVICE_DIR = Path(__file__).resolve().parents[3]
PASSWORD_VARIABLE = "PASSERELLE_DEMO_PASSWORD"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    kind: str
    name: str
    siret: str | None = None
    uai: str | None = None
    opco_code: str | None = None


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    roles: tuple[tuple[str, str], ...]  # (organisation key, role)


ORGANISATIONS = (
    DemoOrganisation("cfa", "training", "CFA des Métiers de l'Alimentation de Paris", "19793776650011", "0754321P"),
    DemoOrganisation("dupain", "employer", "Boulangerie Dupain SAS", "81208328500013"),
    DemoOrganisation("dupain-boulogne", "employer", "Boulangerie Dupain SAS - Boulogne", "81208328500021"),
    DemoOrganisation("garage", "employer", "Garage Martin et Fils SARL", "43935504100021"),
    DemoOrganisation("opco", "opco", "L'Opcommerce", opco_code="OPCOMMERCE"),
    # The bakeries' branch (IDCC 0843) belongs to OPCO EP: their contracts are routed there, not to L'Opcommerce.
    DemoOrganisation("opco-ep", "opco", "OPCO EP (entreprises de proximité)", opco_code="OPCOEP"),
)

PEOPLE = (
    DemoPerson("direction@cfa-alimentation.example.fr", "Sophie Bernard", (("cfa", "admin"),)),
    DemoPerson("formation@cfa-alimentation.example.fr", "Julien Moreau", (("cfa", "contributor"),)),
    DemoPerson("direction@dupain.example.fr", "Claire Dupain", (("dupain", "admin"), ("dupain-boulogne", "admin"))),
    DemoPerson("recrutement@dupain.example.fr", "Paul Lefort", (("dupain", "contributor"),)),
    DemoPerson("boulogne@dupain.example.fr", "Marc Petit", (("dupain-boulogne", "admin"),)),
    DemoPerson("contact@garage-martin.example.fr", "Luc Martin", (("garage", "admin"),)),
    DemoPerson("admin@opcommerce.example.fr", "Nadia Haddad", (("opco", "admin"),)),
    DemoPerson("superviseur@opcommerce.example.fr", "Henri Laurent", (("opco", "supervisor"),)),
    DemoPerson("instructeur@opcommerce.example.fr", "Emma Girard", (("opco", "reviewer"),)),
    DemoPerson("admin@opcoep.example.fr", "Karim Benali", (("opco-ep", "admin"),)),
    DemoPerson("superviseur@opcoep.example.fr", "Odile Marchand", (("opco-ep", "supervisor"),)),
    DemoPerson("instructeur@opcoep.example.fr", "Inès Roche", (("opco-ep", "reviewer"),)),
)

# The machine identities of opco-processing, one per OPCO (its letters are that OPCO's): API clients whose
# secrets are drawn once and written where the stack gives them to opco-processing.
MACHINE_CLIENTS = (("opco", "pcl_opco_processing_opcommerce"), ("opco-ep", "pcl_opco_processing_opcoep"))
MACHINE_CLIENTS_FILE_VARIABLE = "OPCO_PROCESSING_MACHINE_CLIENTS_FILE"


@dataclass(frozen=True)
class SeededLogin:
    email: str
    full_name: str
    memberships: tuple[str, ...]
    created: bool


async def seed(identity: IdentityContext, password: str) -> list[SeededLogin]:
    ports = identity.ports
    orgs = {}
    for demo in ORGANISATIONS:
        cmd = commands.ProvisionOrganisation(demo.kind, demo.name, demo.siret, demo.uai, demo.opco_code)
        orgs[demo.key], _ = await provisioning.provision_organisation(cmd, identity.uow(), ports)
    logins = []
    accounts = {}
    for person in PEOPLE:
        account, created = await provisioning.provision_account(
            commands.ProvisionAccount(person.email, password, person.full_name), identity.uow(), ports
        )
        labels = []
        for key, role in person.roles:
            org = orgs[key]
            await provisioning.grant_membership(
                commands.GrantMembership(account.id, org.id, role), identity.uow(), ports
            )
            identifier = org.uai or org.siret or org.opco_code
            labels.append(f"{ROLE_LABELS[Role(role)]} de {org.name} ({identifier})")
        logins.append(SeededLogin(person.email, person.full_name, tuple(labels), created))
        accounts[person.email] = account
    await seed_machine_clients(identity, orgs, accounts)
    return logins


async def seed_machine_clients(identity: IdentityContext, orgs: dict, accounts: dict) -> None:
    path = os.environ.get(MACHINE_CLIENTS_FILE_VARIABLE)
    if not path:
        return
    file = Path(path)
    known = await asyncio.to_thread(_read_clients, file)
    admins = {key: next(p.email for p in PEOPLE if (key, "admin") in p.roles) for key, _ in MACHINE_CLIENTS}
    for key, client_id in MACHINE_CLIENTS:
        org = orgs[key]
        entry = known.get(org.opco_code) or {
            "client_id": client_id,
            "client_secret": "pcs_" + secrets.token_urlsafe(24),
        }
        _, created = await provisioning.provision_api_client(
            commands.ProvisionApiClient(
                org.id,
                entry["client_id"],
                entry["client_secret"],
                "Passerelle — instruction des contrats",
                accounts[admins[key]].id,
                # A client whose secret this file does not keep gets the new one, so the file is always valid.
                reset_secret=org.opco_code not in known,
            ),
            identity.uow(),
            identity.ports,
        )
        if created or org.opco_code not in known:
            known[org.opco_code] = entry
    await asyncio.to_thread(_write_clients, file, known)


def _read_clients(file: Path) -> dict:
    return json.loads(file.read_text()) if file.exists() else {}


def _write_clients(file: Path, known: dict) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(known, indent=2))
    file.chmod(0o600)


async def run(settings: Settings, password: str) -> list[SeededLogin]:
    service = bootstrap(settings)
    try:
        return await seed(service.context, password)
    finally:
        if service.engine is not None:
            await service.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-migrations", action="store_true", help="the database is already migrated")
    args = parser.parse_args(argv)
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if not password:
        print(
            f"Refus : définissez {PASSWORD_VARIABLE} (le mot de passe des comptes de démonstration).", file=sys.stderr
        )
        return 2
    settings = Settings()
    if not args.skip_migrations:
        upgrade(SERVICE_DIR, settings.database_url or "")
    try:
        logins = asyncio.run(run(settings, password))
    except InvalidInput as exc:
        print(
            f"Refus : {PASSWORD_VARIABLE} ne respecte pas la politique de mots de passe : {exc.message}",
            file=sys.stderr,
        )
        return 2
    print(f"Comptes de démonstration (mot de passe : la valeur de {PASSWORD_VARIABLE}) :")
    for login in logins:
        state = "créé" if login.created else "existant"
        print(f"  {login.email:<42} {login.full_name:<16} [{state}] {' ; '.join(login.memberships)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
