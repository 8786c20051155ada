from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from passerelle.identity.domain.errors import Conflict, InvalidInput, InvalidLink
from passerelle.identity.domain.key_schedule import KeySchedule, KeyTimes
from passerelle.identity.domain.model import Invitation
from passerelle.identity.domain.roles import (
    Action,
    OrganisationKind,
    Role,
    check_role_for_kind,
    ensure_an_admin_remains,
    may,
)
from passerelle.identity.domain.throttling import retry_after

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def test_roles_per_kind():
    assert check_role_for_kind("employer", "contributor") == Role.CONTRIBUTOR
    assert check_role_for_kind(OrganisationKind.OPCO, "reviewer") == Role.REVIEWER
    with pytest.raises(InvalidInput) as caught:
        check_role_for_kind("employer", "reviewer")
    assert caught.value.problems[0].path == "role"
    assert "admin, contributor" in caught.value.problems[0].message
    with pytest.raises(InvalidInput):
        check_role_for_kind("training", "boss")


def test_only_administrators_administer():
    assert all(may(Role.ADMIN, a) for a in Action)
    for role in (Role.CONTRIBUTOR, Role.REVIEWER, Role.SUPERVISOR):
        assert may(role, Action.VIEW_MEMBERS)
        assert not may(role, Action.INVITE)
        assert not may(role, Action.CHANGE_ROLE)
        assert not may(role, Action.MANAGE_API_CLIENTS)


def test_an_organisation_keeps_an_administrator():
    ensure_an_admin_remains(1)
    with pytest.raises(Conflict):
        ensure_an_admin_remains(0)


def test_sliding_window_throttle():
    window = timedelta(minutes=15)
    failures = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 4)]
    assert retry_after(failures[:4], T0 + timedelta(minutes=5), window, 5) is None
    wait = retry_after(failures, T0 + timedelta(minutes=5), window, 5)
    # The oldest failure leaves the window at 08:15: ten minutes from 08:05.
    assert wait == 600
    assert retry_after(failures, T0 + timedelta(minutes=15, seconds=1), window, 5) is None


def invitation_at(created_at):
    return Invitation(
        organisation_id=uuid4(),
        email="a@b.example",
        role=Role.CONTRIBUTOR,
        token_hash="h",
        invited_by=uuid4(),
        created_at=created_at,
        expires_at=created_at + timedelta(days=7),
    )


def test_invitation_is_single_use_and_expires():
    invitation = invitation_at(T0)
    invitation.accept(uuid4(), T0 + timedelta(days=1))
    with pytest.raises(InvalidLink):
        invitation.accept(uuid4(), T0 + timedelta(days=1))
    with pytest.raises(InvalidLink):
        invitation_at(T0).accept(uuid4(), T0 + timedelta(days=8))


class TestKeySchedule:
    schedule = KeySchedule(
        rotation_period=timedelta(days=30), publish_ahead=timedelta(minutes=10), verify_grace=timedelta(minutes=15)
    )

    def test_first_key_is_created_active_now(self):
        assert self.schedule.next_activation([], T0) == T0

    def test_next_key_is_published_ahead_of_use(self):
        first = KeyTimes("k1", T0)
        assert self.schedule.next_activation([first], T0 + timedelta(days=29)) is None
        assert self.schedule.next_activation([first], T0 + timedelta(days=30, minutes=-11)) is None
        now = T0 + timedelta(days=30, minutes=-10)
        activation = self.schedule.next_activation([first], now)
        assert activation == T0 + timedelta(days=30)
        second = KeyTimes("k2", activation)
        # Published, not yet signing.
        assert [k.kid for k in self.schedule.published([first, second], now)] == ["k2", "k1"]
        assert self.schedule.signing_key([first, second], now).kid == "k1"
        assert self.schedule.next_activation([first, second], now) is None

    def test_a_late_rotation_still_publishes_ahead(self):
        now = T0 + timedelta(days=31)
        assert self.schedule.next_activation([KeyTimes("k1", T0)], now) == now + timedelta(minutes=10)

    def test_superseded_key_stays_published_while_its_tokens_live(self):
        first, second = KeyTimes("k1", T0), KeyTimes("k2", T0 + timedelta(days=30))
        keys = [first, second]
        just_after = T0 + timedelta(days=30, minutes=5)
        assert self.schedule.signing_key(keys, just_after).kid == "k2"
        assert {k.kid for k in self.schedule.published(keys, just_after)} == {"k1", "k2"}
        later = T0 + timedelta(days=30, minutes=20)
        assert [k.kid for k in self.schedule.published(keys, later)] == ["k2"]
        assert [k.kid for k in self.schedule.disposable(keys, later)] == ["k1"]
