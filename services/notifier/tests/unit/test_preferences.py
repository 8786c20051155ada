import pytest

from passerelle.notifier.domain.errors import LegalNoticeRequired
from passerelle.notifier.domain.kinds import LEGAL, Kind
from passerelle.notifier.domain.preferences import ChannelChoice, EmailMode, WebMode, effective, validate_choice

OFF = ChannelChoice(WebMode.OFF, EmailMode.OFF)


@pytest.mark.parametrize("kind", sorted(LEGAL))
def test_a_legal_notice_cannot_be_switched_off(kind):
    with pytest.raises(LegalNoticeRequired) as raised:
        validate_choice(kind, OFF)
    assert raised.value.code == "legal_notice_required"


@pytest.mark.parametrize(
    "choice",
    [ChannelChoice(WebMode.OFF, EmailMode.DIGEST), ChannelChoice(WebMode.IMMEDIATE, EmailMode.OFF)],
)
def test_a_legal_notice_can_change_channel(choice):
    assert validate_choice(Kind.ANOMALY_RAISED, choice) == choice


def test_an_ordinary_kind_can_be_switched_off():
    assert validate_choice(Kind.CONTRACT_ACCEPTED, OFF) == OFF
    assert effective(Kind.CONTRACT_ACCEPTED, OFF).silent


def test_defaults_apply_without_a_choice_and_a_stored_silent_legal_choice_is_ignored():
    assert effective(Kind.CONTRACT_ENGAGED, None) == ChannelChoice(WebMode.IMMEDIATE, EmailMode.IMMEDIATE)
    assert not effective(Kind.CONTRACT_ENGAGED, OFF).silent
