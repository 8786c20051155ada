from datetime import timedelta

import pytest

from passerelle.identity.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidLink,
    NotAllowed,
    TooManyAttempts,
)
from passerelle.identity.domain.model import Account, OutgoingMail
from passerelle.identity.service_layer import accounts, commands, sessions

EMAIL = "camille.martin@dupain.example.fr"


async def register(world, email=EMAIL, password=None, full_name="Camille Martin"):
    cmd = commands.RegisterAccount(email=email, password=password or world.password, full_name=full_name)
    return await accounts.register_account(cmd, world.uow(), world.ports)


async def log_in(world, email=EMAIL, password=None, ip="10.0.0.1"):
    cmd = commands.LogIn(email=email, password=password or world.password, ip=ip)
    return await sessions.log_in(cmd, world.uow(), world.ports)


async def test_registration_creates_an_unconfirmed_account_and_mails_a_link(world):
    account = await register(world, email="  Camille.Martin@Dupain.example.fr")
    assert account.email == EMAIL and not account.is_confirmed
    assert account.password_hash != world.password
    [event] = world.events("account.registered")
    assert event.account_id == account.id and event.email == EMAIL
    [mail] = world.mails_to(EMAIL)
    assert "https://portail.test/compte/confirmer?jeton=" in mail.body


async def test_registration_reports_every_wrong_field_at_once(world):
    with pytest.raises(InvalidInput) as caught:
        await register(world, email="pas-une-adresse", password="court", full_name="  ")
    assert {p.path for p in caught.value.problems} == {"email", "password", "full_name"}
    assert world.store.commits == 0


async def test_registering_a_taken_address_answers_the_same_and_warns_its_owner(world):
    first = await register(world)
    assert await register(world, password="un-autre-mot-de-passe-long") is None
    assert world.store.all(Account) == [first]
    subjects = [m.subject for m in world.mails_to(EMAIL)]
    assert subjects == ["Confirmez votre adresse électronique", "Vous avez déjà un compte Passerelle"]


async def test_confirmation_link_works_once(world):
    await register(world)
    secret = world.link_secret(EMAIL)
    account = await accounts.confirm_email(commands.ConfirmEmail(secret), world.uow(), world.ports)
    assert account.is_confirmed
    assert len(world.events("account.confirmed")) == 1
    with pytest.raises(InvalidLink):
        await accounts.confirm_email(commands.ConfirmEmail(secret), world.uow(), world.ports)


async def test_confirmation_link_expires(world):
    await register(world)
    secret = world.link_secret(EMAIL)
    world.clock.advance(hours=49)
    with pytest.raises(InvalidLink):
        await accounts.confirm_email(commands.ConfirmEmail(secret), world.uow(), world.ports)


async def test_a_new_confirmation_link_replaces_the_old_one(world):
    await register(world)
    old = world.link_secret(EMAIL)
    await accounts.resend_confirmation(commands.ResendConfirmation(EMAIL), world.uow(), world.ports)
    new = world.link_secret(EMAIL)
    assert new != old
    with pytest.raises(InvalidLink):
        await accounts.confirm_email(commands.ConfirmEmail(old), world.uow(), world.ports)
    await accounts.confirm_email(commands.ConfirmEmail(new), world.uow(), world.ports)


async def test_login_needs_a_confirmed_address(world):
    await register(world)
    with pytest.raises(NotAllowed) as caught:
        await log_in(world)
    assert caught.value.code == "email_not_confirmed"


async def test_wrong_password_and_unknown_account_get_the_same_answer(world):
    await world.person(EMAIL)
    with pytest.raises(AuthenticationFailed) as wrong:
        await log_in(world, password="pas-le-bon-mot-de-passe")
    with pytest.raises(AuthenticationFailed) as unknown:
        await log_in(world, email="personne@nulle-part.example.fr")
    assert (wrong.value.code, wrong.value.message) == (unknown.value.code, unknown.value.message)
    assert wrong.value.message == "Identifiant ou mot de passe incorrect."


async def test_failures_lock_the_account_for_that_address_only_with_a_growing_delay(world):
    """Issue #10, item 8: five wrong passwords from one place no longer lock the owner out from anywhere."""
    await world.person(EMAIL)
    attacker = "198.51.100.66"
    for i in range(5):
        with pytest.raises(AuthenticationFailed):
            await log_in(world, password=f"mauvais-mot-de-passe-{i}", ip=attacker)
    # The owner, from their own address, logs in.
    assert (await log_in(world, ip="10.9.9.9")).access_token
    # The attacker waits, even with the right password, and each new failure doubles the wait.
    waits = []
    for i in range(3):
        with pytest.raises(TooManyAttempts) as caught:
            await log_in(world, ip=attacker)
        waits.append(caught.value.retry_after_seconds)
        world.clock.advance(seconds=caught.value.retry_after_seconds)
        with pytest.raises(AuthenticationFailed):
            await log_in(world, password=f"encore-faux-{i}", ip=attacker)
    assert waits == [30, 60, 120]
    assert (await log_in(world, ip="10.9.9.9")).access_token


async def test_an_account_is_bounded_from_everywhere_far_higher(world):
    world.ports.policy = type(world.ports.policy)(
        **{**world.ports.policy.__dict__, "max_failures_per_account_anywhere": 12}
    )
    await world.person(EMAIL)
    for i in range(12):
        with pytest.raises(AuthenticationFailed):
            await log_in(world, password="mauvais-mot-de-passe", ip=f"203.0.113.{i}")
    with pytest.raises(TooManyAttempts) as caught:
        await log_in(world, ip="10.9.9.9")
    world.clock.advance(seconds=caught.value.retry_after_seconds)
    assert (await log_in(world, ip="10.9.9.9")).access_token


async def test_closing_an_account_is_throttled_like_a_login(world):
    account = await world.person(EMAIL)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            await accounts.close_account(
                commands.CloseAccount(account.id, "mauvais", "198.51.100.7"), world.uow(), world.ports
            )
    with pytest.raises(TooManyAttempts):
        await accounts.close_account(
            commands.CloseAccount(account.id, world.password, "198.51.100.7"), world.uow(), world.ports
        )


async def test_password_reset_requests_are_throttled_per_address_known_or_not(world):
    world.ports.policy = type(world.ports.policy)(**{**world.ports.policy.__dict__, "reset_requests_per_ip": 3})
    await world.person(EMAIL)
    for email in (EMAIL, "inconnu@nulle-part.example.fr", "autre@nulle-part.example.fr"):
        await accounts.request_password_reset(
            commands.RequestPasswordReset(email, "192.0.2.9"), world.uow(), world.ports
        )
    for email in (EMAIL, "inconnu@nulle-part.example.fr"):
        with pytest.raises(TooManyAttempts):
            await accounts.request_password_reset(
                commands.RequestPasswordReset(email, "192.0.2.9"), world.uow(), world.ports
            )
    await accounts.request_password_reset(commands.RequestPasswordReset(EMAIL, "192.0.2.10"), world.uow(), world.ports)


async def test_unknown_accounts_are_throttled_too(world):
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            await log_in(world, email="inconnu@nulle-part.example.fr")
    with pytest.raises(TooManyAttempts):
        await log_in(world, email="inconnu@nulle-part.example.fr")


async def test_login_is_throttled_per_address(world):
    world.ports.policy = type(world.ports.policy)(**{**world.ports.policy.__dict__, "max_failures_per_ip": 3})
    for i in range(3):
        with pytest.raises(AuthenticationFailed):
            await log_in(world, email=f"inconnu{i}@nulle-part.example.fr", ip="192.0.2.7")
    with pytest.raises(TooManyAttempts):
        await log_in(world, email="autre@nulle-part.example.fr", ip="192.0.2.7")
    await world.person(EMAIL)
    assert (await log_in(world, ip="192.0.2.8")).access_token


async def test_a_success_clears_the_account_counter(world):
    await world.person(EMAIL)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            await log_in(world, password="mauvais-mot-de-passe")
    await log_in(world)
    with pytest.raises(AuthenticationFailed):
        await log_in(world, password="mauvais-mot-de-passe")
    assert (await log_in(world)).access_token


async def test_password_reset_for_an_unknown_address_does_the_same_work_without_a_link(world):
    """Issue #10, item 8: the same answer, the same writes (a mail, the counters), no link for anyone."""
    await accounts.request_password_reset(
        commands.RequestPasswordReset("inconnu@nulle-part.example.fr"), world.uow(), world.ports
    )
    [mail] = world.store.all(OutgoingMail)
    assert mail.to_address == "inconnu@nulle-part.example.fr" and "aucun compte actif" in mail.body
    assert "jeton=" not in mail.body


async def test_password_reset_link_is_single_use_short_lived_and_ends_sessions(world):
    await world.person(EMAIL)
    tokens = await log_in(world)
    await accounts.request_password_reset(commands.RequestPasswordReset(EMAIL), world.uow(), world.ports)
    secret = world.link_secret(EMAIL)
    new_password = "nouvelle-phrase-secrete-7"
    await accounts.reset_password(commands.ResetPassword(secret, new_password), world.uow(), world.ports)
    with pytest.raises(InvalidLink):
        await accounts.reset_password(
            commands.ResetPassword(secret, "encore-une-autre-phrase"), world.uow(), world.ports
        )
    with pytest.raises(AuthenticationFailed):
        await sessions.refresh_tokens(commands.RefreshTokens(tokens.refresh_token), world.uow(), world.ports)
    assert (await log_in(world, password=new_password)).access_token
    # A second request, 31 minutes later, is too late.
    await accounts.request_password_reset(commands.RequestPasswordReset(EMAIL), world.uow(), world.ports)
    late = world.link_secret(EMAIL)
    world.clock.advance(minutes=31)
    with pytest.raises(InvalidLink):
        await accounts.reset_password(commands.ResetPassword(late, "encore-une-autre-phrase"), world.uow(), world.ports)


async def test_reset_links_are_rate_limited_per_address(world):
    await world.person(EMAIL)
    for _ in range(5):
        await accounts.request_password_reset(commands.RequestPasswordReset(EMAIL), world.uow(), world.ports)
    assert len(world.mails_to(EMAIL)) == 3


async def test_change_password_checks_the_current_one_and_ends_sessions(world):
    account = await world.person(EMAIL)
    tokens = await log_in(world)
    with pytest.raises(InvalidInput) as caught:
        await accounts.change_password(
            commands.ChangePassword(account.id, "pas-le-bon", "nouvelle-phrase-secrete-7"), world.uow(), world.ports
        )
    assert caught.value.problems[0].path == "current_password"
    with pytest.raises(InvalidInput) as weak:
        await accounts.change_password(
            commands.ChangePassword(account.id, world.password, "motdepasse2026"), world.uow(), world.ports
        )
    assert weak.value.problems[0].path == "new_password"
    await accounts.change_password(
        commands.ChangePassword(account.id, world.password, "nouvelle-phrase-secrete-7"), world.uow(), world.ports
    )
    with pytest.raises(AuthenticationFailed):
        await sessions.refresh_tokens(commands.RefreshTokens(tokens.refresh_token), world.uow(), world.ports)
    assert world.mails_to(EMAIL)[-1].subject == "Votre mot de passe a été modifié"


async def test_profile_update_publishes_the_new_name(world):
    account = await world.person(EMAIL)
    updated = await accounts.update_profile(
        commands.UpdateProfile(account.id, full_name="  Camille   Martin-Durand ", phone="01 23 45 67 89"),
        world.uow(),
        world.ports,
    )
    assert updated.full_name == "Camille Martin-Durand"
    [event] = world.events("account.updated")
    assert event.full_name == "Camille Martin-Durand" and event.phone == "01 23 45 67 89"
    with pytest.raises(InvalidInput) as caught:
        await accounts.update_profile(commands.UpdateProfile(account.id, phone="appelez-moi"), world.uow(), world.ports)
    assert caught.value.problems[0].path == "phone"


async def test_disabling_an_account_ends_its_sessions(world):
    account = await world.person(EMAIL)
    tokens = await log_in(world)
    await accounts.disable_account(commands.DisableAccount(account.id), world.uow(), world.ports)
    assert len(world.events("account.disabled")) == 1
    with pytest.raises(AuthenticationFailed):
        await sessions.refresh_tokens(commands.RefreshTokens(tokens.refresh_token), world.uow(), world.ports)
    with pytest.raises(AuthenticationFailed) as caught:
        await log_in(world)
    assert caught.value.code == "account_disabled"


async def test_closing_ones_account_needs_the_password(world):
    account = await world.person(EMAIL)
    with pytest.raises(InvalidInput):
        await accounts.close_account(commands.CloseAccount(account.id, "pas-le-bon"), world.uow(), world.ports)
    await accounts.close_account(commands.CloseAccount(account.id, world.password), world.uow(), world.ports)
    assert not account.is_active
    world.clock.advance(seconds=1)
    assert timedelta(0) < world.clock.now - account.disabled_at
