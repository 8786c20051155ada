import pytest

from passerelle.identity.domain.errors import AuthenticationFailed, NotAllowed
from passerelle.identity.service_layer import api_clients, commands, sessions
from passerelle.identity.service_layer.mail_delivery import MAX_ATTEMPTS, deliver_pending_mails


async def client_token(world, client_id, secret):
    return await sessions.issue_client_token(
        commands.IssueClientToken(client_id, secret, "198.51.100.4"), world.uow(), world.ports
    )


async def test_machine_client_gets_its_organisation_rights_only_until_revoked(world):
    admin = await world.person("direction@dupain.example.fr")
    org = await world.employer(admin)
    await world.employer(admin, "43935504100021", "Garage Martin")
    client, secret = await api_clients.create_api_client(
        commands.CreateApiClient(admin.id, org.id, "Logiciel de paie"), world.uow(), world.ports
    )
    assert client.client_id.startswith("pcl_") and secret.startswith("pcs_")
    assert client.secret_hash != secret
    tokens = await client_token(world, client.client_id, secret)
    assert tokens.refresh_token is None
    claims = world.claims(tokens.access_token)
    assert claims["kind"] == "client" and claims["sub"] == str(client.id) and claims["email"] is None
    assert [(o["siret"], o["role"]) for o in claims["orgs"]] == [("81208328500013", "contributor")]
    with pytest.raises(AuthenticationFailed) as caught:
        await client_token(world, client.client_id, "pcs_faux")
    assert caught.value.code == "invalid_client"
    await api_clients.revoke_api_client(commands.RevokeApiClient(admin.id, org.id, client.id), world.uow(), world.ports)
    with pytest.raises(AuthenticationFailed):
        await client_token(world, client.client_id, secret)


async def test_only_administrators_manage_api_clients(world):
    admin = await world.person("direction@dupain.example.fr")
    org = await world.employer(admin)
    contributor = await world.person("compta@dupain.example.fr")
    await world.member(org, contributor, "contributor")
    with pytest.raises(NotAllowed):
        await api_clients.create_api_client(
            commands.CreateApiClient(contributor.id, org.id, "Mon script"), world.uow(), world.ports
        )


class FlakyMailer:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, mail):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionRefusedError("smtp down")
        self.sent.append((mail.to, mail.subject, mail.text))


async def test_mails_are_retried_with_backoff_then_delivered_and_their_secret_forgotten(world):
    await world.person("a@example.fr")
    from passerelle.identity.service_layer import accounts

    await accounts.request_password_reset(commands.RequestPasswordReset("a@example.fr"), world.uow(), world.ports)
    [mail] = world.mails_to("a@example.fr")
    mailer = FlakyMailer(failures=2)
    assert await deliver_pending_mails(world.uow(), mailer, world.ports) == 0
    assert mail.attempts == 1 and "smtp down" in mail.last_error
    # Not due yet: nothing is tried.
    assert await deliver_pending_mails(world.uow(), mailer, world.ports) == 0
    assert mail.attempts == 1
    world.clock.advance(seconds=5)
    await deliver_pending_mails(world.uow(), mailer, world.ports)
    world.clock.advance(seconds=10)
    assert await deliver_pending_mails(world.uow(), mailer, world.ports) == 1
    [(to, subject, body)] = mailer.sent
    assert to == "a@example.fr" and "jeton=" in body
    assert mail.sent_at is not None and mail.body == ""


async def test_a_mail_that_never_goes_is_parked(world):
    await world.person("a@example.fr")
    from passerelle.identity.service_layer import accounts

    await accounts.request_password_reset(commands.RequestPasswordReset("a@example.fr"), world.uow(), world.ports)
    [mail] = world.mails_to("a@example.fr")
    mailer = FlakyMailer(failures=100)
    for _ in range(MAX_ATTEMPTS):
        await deliver_pending_mails(world.uow(), mailer, world.ports)
        world.clock.advance(hours=2)
    assert mail.failed_at is not None and mail.attempts == MAX_ATTEMPTS
