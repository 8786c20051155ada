"""The security mails identity sends itself (they carry single-use secret links), in French."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from passerelle.identity.domain.model import OutgoingMail
from passerelle.identity.domain.roles import KIND_LABELS, ROLE_LABELS, OrganisationKind, Role

SIGNATURE = (
    "\n\n--\nPasserelle — contrats en alternance\nCe message est envoyé automatiquement, merci de ne pas y répondre.\n"
)


def link(portal_url: str, path: str, secret: str) -> str:
    return f"{portal_url.rstrip('/')}{path}?jeton={quote(secret)}"


def _mail(to: str, subject: str, body: str, now: datetime) -> OutgoingMail:
    return OutgoingMail(to_address=to, subject=subject, body=body + SIGNATURE, created_at=now, next_attempt_at=now)


def _hours(lifetime: timedelta) -> str:
    hours = int(lifetime.total_seconds() // 3600)
    if hours >= 48:
        return f"{hours // 24} jours"
    if hours >= 1:
        return f"{hours} heure{'s' if hours > 1 else ''}"
    return f"{int(lifetime.total_seconds() // 60)} minutes"


def confirmation(to: str, full_name: str, url: str, lifetime: timedelta, now: datetime) -> OutgoingMail:
    body = (
        f"Bonjour {full_name},\n\n"
        "Vous venez de créer un compte Passerelle. Pour confirmer votre adresse électronique, ouvrez ce lien :\n\n"
        f"{url}\n\n"
        f"Ce lien est valable {_hours(lifetime)} et ne peut servir qu'une fois.\n"
        "Si vous n'êtes pas à l'origine de cette inscription, ignorez ce message."
    )
    return _mail(to, "Confirmez votre adresse électronique", body, now)


def already_registered(to: str, portal_url: str, now: datetime) -> OutgoingMail:
    body = (
        "Bonjour,\n\n"
        "Quelqu'un a voulu créer un compte Passerelle avec votre adresse électronique, qui a déjà un compte.\n"
        f"Pour vous connecter : {portal_url.rstrip('/')}/connexion\n"
        "Mot de passe oublié ? Utilisez « Mot de passe oublié » sur la page de connexion.\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."
    )
    return _mail(to, "Vous avez déjà un compte Passerelle", body, now)


def reset_without_account(to: str, portal_url: str, now: datetime) -> OutgoingMail:
    """A reset asked for an address that has no (active) account: it is told so, as the account owner would be
    told of a reset, so that both answers cost the same and the page reveals nothing."""
    body = (
        "Bonjour,\n\n"
        "Quelqu'un a demandé à réinitialiser le mot de passe d'un compte Passerelle avec votre adresse "
        "électronique, mais aucun compte actif n'y est associé.\n"
        f"Pour créer un compte : {portal_url.rstrip('/')}/inscription\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."
    )
    return _mail(to, "Demande de mot de passe sur Passerelle", body, now)


def password_reset(to: str, full_name: str, url: str, lifetime: timedelta, now: datetime) -> OutgoingMail:
    body = (
        f"Bonjour {full_name},\n\n"
        "Une réinitialisation du mot de passe de votre compte Passerelle a été demandée. Pour choisir un nouveau "
        "mot de passe, ouvrez ce lien :\n\n"
        f"{url}\n\n"
        f"Ce lien est valable {_hours(lifetime)} et ne peut servir qu'une fois. Toutes vos sessions ouvertes "
        "seront fermées.\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe "
        "reste inchangé."
    )
    return _mail(to, "Réinitialisation de votre mot de passe", body, now)


def password_changed(to: str, full_name: str, now: datetime) -> OutgoingMail:
    body = (
        f"Bonjour {full_name},\n\n"
        "Le mot de passe de votre compte Passerelle vient d'être modifié et toutes vos sessions ont été fermées.\n"
        "Si vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe immédiatement."
    )
    return _mail(to, "Votre mot de passe a été modifié", body, now)


def invitation(
    to: str,
    inviter_name: str,
    organisation_name: str,
    kind: OrganisationKind,
    role: Role,
    url: str,
    lifetime: timedelta,
    now: datetime,
) -> OutgoingMail:
    body = (
        "Bonjour,\n\n"
        f"{inviter_name} vous invite à rejoindre « {organisation_name} » ({KIND_LABELS[kind]}) sur Passerelle, "
        f"avec le rôle {ROLE_LABELS[role]}.\n\n"
        f"Pour accepter l'invitation, ouvrez ce lien :\n\n{url}\n\n"
        f"Ce lien est valable {_hours(lifetime)} et ne peut servir qu'une fois. Si vous n'avez pas encore de "
        "compte, vous le créerez en l'ouvrant."
    )
    return _mail(to, f"Invitation à rejoindre {organisation_name} sur Passerelle", body, now)


def postal_verification(to: str, organisation_name: str, siret: str | None, code: str, now: datetime) -> OutgoingMail:
    """The letter sent by post to the establishment's registered address (SIRENE)."""
    body = (
        f"À l'attention de la direction de {organisation_name}\n"
        f"Établissement SIRET {siret or '-'}, adresse enregistrée au répertoire SIRENE\n\n"
        "Madame, Monsieur,\n\n"
        "Une personne a demandé à administrer votre établissement sur Passerelle, le portail des contrats "
        "en alternance. Pour prouver qu'elle agit bien pour vous, elle doit saisir le code ci-dessous dans "
        "son espace, rubrique « Vérifier l'organisme » :\n\n"
        f"    {code[:4]} {code[4:]}\n\n"
        "Ce code est valable 30 jours. Si personne dans votre établissement n'a fait cette demande, ne "
        "communiquez pas ce code et ignorez ce courrier."
    )
    return _mail(to, f"Code de vérification de votre établissement {siret or ''}".strip(), body, now)
