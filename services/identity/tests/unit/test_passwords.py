import pytest

from passerelle.identity.domain.errors import InvalidInput
from passerelle.identity.domain.passwords import MIN_LENGTH, PasswordPolicy, load_common_passwords

policy = PasswordPolicy()


def codes(password, email=None, name=None):
    return [p.code for p in policy.problems(password, email, name)]


def test_the_shipped_list_has_thousands_of_common_passwords():
    common = load_common_passwords()
    assert len(common) > 2000
    assert {"motdepasse", "azertyuiop", "password", "soleil", "jetaime"} <= common


def test_twelve_characters_at_least_and_no_composition_rule():
    assert codes("a" * (MIN_LENGTH - 1)) == ["password_too_short"]
    # Only lower-case letters and spaces: long and uncommon is enough.
    assert codes("cheval agrafe lune pile") == []
    assert codes("cheval-agrafe-lune-42") == []


def test_too_long_is_refused():
    assert codes("x" * 129 + "longpassphrase") == ["password_too_long"]


@pytest.mark.parametrize(
    "password",
    [
        "motdepasse123",
        "MotDePasse2024!",
        "azertyuiop12",
        "AzertyAzerty",
        "P@ssw0rd12345",
        "123456789012",
        "jetaimejetaime",
        "Marseille2026!!",
        "Soleil-123456",
        "monchocolat2025",
    ],
)
def test_common_passwords_and_their_decorations_are_refused(password):
    assert codes(password) == ["password_common"]


@pytest.mark.parametrize("password", ["abcdefghijklmn", "mlkjhgfdsqpoi", "zzzzzzzzzzzzz1", "ababababababab"])
def test_predictable_passwords_are_refused(password):
    assert codes(password) in (["password_predictable"], ["password_common"])


def test_the_email_local_part_or_the_name_is_refused():
    assert codes("camille.martin-2026", email="camille.martin@dupain.example.fr") == ["password_personal"]
    assert codes("xx-dupontel-xx-99", name="Jean Dupontel") == ["password_personal"]


def test_check_raises_with_the_field_path():
    with pytest.raises(InvalidInput) as caught:
        policy.check("motdepasse", path="new_password")
    assert caught.value.problems[0].path == "new_password"
    assert "12 caractères" in caught.value.problems[0].message
