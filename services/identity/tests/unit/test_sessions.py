import pytest

from passerelle.identity.domain.errors import AuthenticationFailed
from passerelle.identity.domain.model import LoginSession
from passerelle.identity.service_layer import commands, sessions

EMAIL = "camille.martin@dupain.example.fr"


async def log_in(world, ip="10.0.0.1"):
    return await sessions.log_in(commands.LogIn(EMAIL, world.password, ip, "pytest"), world.uow(), world.ports)


async def refresh(world, token):
    return await sessions.refresh_tokens(commands.RefreshTokens(token), world.uow(), world.ports)


async def test_access_token_carries_exactly_the_documented_claims(world):
    account = await world.person(EMAIL)
    org = await world.employer(account)
    tokens = await log_in(world)
    claims = world.claims(tokens.access_token)
    assert set(claims) == {"iss", "aud", "sub", "exp", "iat", "jti", "kind", "email", "name", "orgs", "sid"}
    assert claims["iss"] == "passerelle-identity" and claims["aud"] == "passerelle"
    assert claims["sub"] == str(account.id) and claims["kind"] == "user"
    assert claims["exp"] - int(claims["iat"]) == 600 == tokens.expires_in
    assert claims["orgs"] == [
        {
            "id": str(org.id),
            "kind": "employer",
            "role": "admin",
            "siret": "81208328500013",
            "siren": "812083285",
            "uai": None,
            "opco": None,
        }
    ]


async def test_refresh_rotates_and_a_replayed_token_ends_the_session(world):
    await world.person(EMAIL)
    first = await log_in(world)
    second = await refresh(world, first.refresh_token)
    assert second.refresh_token != first.refresh_token
    third = await refresh(world, second.refresh_token)
    # Someone replays the first token: the whole session ends, even the newest token.
    with pytest.raises(AuthenticationFailed) as caught:
        await refresh(world, first.refresh_token)
    assert caught.value.code == "refresh_token_reused"
    with pytest.raises(AuthenticationFailed):
        await refresh(world, third.refresh_token)


async def test_refresh_builds_claims_from_the_current_memberships(world):
    account = await world.person(EMAIL)
    tokens = await log_in(world)
    assert world.claims(tokens.access_token)["orgs"] == []
    await world.employer(account)
    refreshed = await refresh(world, tokens.refresh_token)
    assert [o["role"] for o in world.claims(refreshed.access_token)["orgs"]] == ["admin"]


async def test_refresh_session_expires(world):
    await world.person(EMAIL)
    tokens = await log_in(world)
    world.clock.advance(days=31)
    with pytest.raises(AuthenticationFailed):
        await refresh(world, tokens.refresh_token)


async def test_unknown_refresh_token(world):
    with pytest.raises(AuthenticationFailed):
        await refresh(world, "n-importe-quoi")


async def test_log_out_ends_one_session_log_out_everywhere_ends_all(world):
    account = await world.person(EMAIL)
    a, b, c = await log_in(world), await log_in(world), await log_in(world)
    await sessions.log_out(commands.LogOut(a.refresh_token), world.uow(), world.ports)
    with pytest.raises(AuthenticationFailed):
        await refresh(world, a.refresh_token)
    assert (await refresh(world, b.refresh_token)).access_token
    ended = await sessions.log_out_everywhere(commands.LogOutEverywhere(account.id), world.uow(), world.ports)
    assert ended == 2
    for tokens in (b, c):
        with pytest.raises(AuthenticationFailed):
            await refresh(world, tokens.refresh_token)
    assert all(s.revoked_at for s in world.store.all(LoginSession))
