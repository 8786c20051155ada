"""What the OPCO's back-office pages show, as plain data: the queue's tabs, countdowns to the legal deadline,
check results, who the person is for the OPCO, and the contract snapshot as labelled rows, tab by tab."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from passerelle.portal.domain.forms import TAB_LABELS, TAB_ROOTS, display_value

QUEUE_TABS: tuple[tuple[str, str], ...] = (
    ("a_traiter", "À traiter"),
    ("suivis", "Suivis par moi"),
    ("en_anomalie", "En anomalie"),
    ("traites", "Traités"),
    ("expirant", "Expirant bientôt"),
    ("tous", "Tous"),
)
SORTS: tuple[tuple[str, str], ...] = (
    ("deadline", "Échéance la plus proche d'abord"),
    ("-deadline", "Échéance la plus lointaine d'abord"),
    ("-received", "Reçus le plus récemment d'abord"),
    ("received", "Reçus le plus anciennement d'abord"),
)
CONTRACT_TYPES: tuple[tuple[str, str], ...] = (
    ("apprentissage", "Apprentissage"),
    ("professionnalisation", "Professionnalisation"),
)
STATUSES: tuple[tuple[str, str], ...] = (
    ("received", "Reçu"),
    ("in_review", "En cours d'instruction"),
    ("ready", "Prêt"),
    ("anomaly_pending", "En anomalie"),
    ("engaged", "Engagé"),
    ("refused", "Refusé"),
    ("implicitly_refused", "Refus implicite"),
    ("implicitly_accepted", "Acceptation implicite"),
    ("deposited", "Déposé"),
)
# A case may be decided (engaged, put in anomaly, refused) in these states only.
DECIDABLE = frozenset({"received", "in_review", "ready"})
CHECK_RESULTS = {
    "passed": ("Réussi", "success"),
    "failed": ("En échec", "error"),
    "not_applicable": ("Sans objet", "info"),
}
ROLE_RANK = {"reviewer": 1, "supervisor": 2, "admin": 3}
ROLE_LABELS = {"reviewer": "Instructeur", "supervisor": "Superviseur", "admin": "Administrateur"}
# The documents a reviewer may ask for (the letters are the OPCO's own; they are never asked for).
REQUESTABLE_DOCUMENTS: tuple[tuple[str, str], ...] = (
    ("convention_formation", "Convention de formation"),
    ("cerfa_signe", "CERFA signé par les parties"),
    ("convention_reduction_duree", "Convention de réduction de durée"),
    ("convention_mobilite", "Convention de mobilité"),
    ("piece_justificative", "Pièce justificative"),
)
HOUR = 3600
DAY = 24 * HOUR
# Under this many seconds a countdown is shown as urgent (icon and words, not colour alone).
URGENT_SECONDS = 2 * DAY
NEAR_SECONDS = 5 * DAY


@dataclass(frozen=True)
class Countdown:
    text: str
    level: str  # "depasse" | "urgent" | "proche" | "normal" | "aucun"

    @property
    def badge(self) -> str:
        return {"depasse": "error", "urgent": "error", "proche": "warning"}.get(self.level, "info")


def countdown(remaining_seconds: int | None) -> Countdown:
    """The time left to the legal deadline in words a reviewer reads at a glance ("4 j 6 h restants")."""
    if remaining_seconds is None:
        return Countdown("Pas de délai en cours", "aucun")
    if remaining_seconds <= 0:
        return Countdown("Délai dépassé", "depasse")
    days, rest = divmod(remaining_seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    if days:
        text = f"{days} j {hours} h restants" if hours else f"{days} j restants"
    elif hours:
        text = f"{hours} h {rest // 60} min restantes"
    else:
        text = f"{max(1, rest // 60)} min restantes"
    level = (
        "urgent" if remaining_seconds < URGENT_SECONDS else "proche" if remaining_seconds < NEAR_SECONDS else "normal"
    )
    return Countdown(text, level)


@dataclass(frozen=True)
class OpcoStaff:
    organisation_id: str
    opco_code: str
    organisation_name: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def at_least(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]


def opco_staff(memberships: Iterable[Any]) -> OpcoStaff | None:
    """The person's highest OPCO role (identity's memberships of an organisation of kind opco), or None."""
    best: OpcoStaff | None = None
    for m in memberships:
        organisation = m.organisation
        if organisation.kind != "opco" or not organisation.opco_code:
            continue
        staff = OpcoStaff(str(organisation.id), organisation.opco_code, organisation.name, m.role)
        if best is None or ROLE_RANK.get(staff.role, 0) > ROLE_RANK.get(best.role, 0):
            best = staff
    return best


@dataclass(frozen=True)
class SnapshotRow:
    path: str
    label: str
    value: str
    changed: bool


def _leaves(value: Any, path: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for i, inner in enumerate(value):
            yield from _leaves(inner, f"{path}[{i}]")
    else:
        yield path, value


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, list):
        return ", ".join(display_value(v) for v in value)
    return display_value(value)


def snapshot_rows(
    form: Mapping[str, Any], tab: str, labels: Mapping[str, str], changed: Iterable[str]
) -> list[SnapshotRow]:
    """The contract's answers on one tab as the employer sent them, each marked when it changed since the
    previous revision (a changed path, or a path under a changed list or object)."""
    changed_paths = set(changed)
    rows = []
    for root in TAB_ROOTS.get(tab, ()):
        if root not in form:
            continue
        for path, value in _leaves(form[root], root):
            is_changed = path in changed_paths or any(
                path.startswith(c + ".") or path.startswith(c + "[") or c.startswith(path + ".") for c in changed_paths
            )
            rows.append(SnapshotRow(path, field_label(path, labels), _shown(value), is_changed))
    return rows


_ROW = re.compile(r"\[(\d+)\]")
# How the rows of a list are named when a label is shown outside its table.
ROW_NAMES = {"tutors": "tuteur", "contract.pay_schedule": "période"}


def field_label(path: str, labels: Mapping[str, str]) -> str:
    """A field's French label from the registry (`tutors[1].last_name` is `tutors[].last_name`, with the row's rank
    said: « Nom (tuteur 2) »); the path itself only when the registry could not be read."""
    label = labels.get(path) or labels.get(_ROW.sub("[]", path))
    if not label:
        return f"Champ « {path} »"
    row = _ROW.search(path)
    if row:
        name = ROW_NAMES.get(path[: row.start()], "ligne")
        return f"{label} ({name} {int(row.group(1)) + 1})"
    return label


def changed_tabs(changed: Iterable[str]) -> dict[str, int]:
    """How many answers changed on each tab since the previous revision."""
    counts: dict[str, int] = {}
    for path in changed:
        root = path.split(".", 1)[0].split("[", 1)[0]
        for tab, roots in TAB_ROOTS.items():
            if root in roots:
                counts[tab] = counts.get(tab, 0) + 1
    return counts


def snapshot_tabs() -> list[tuple[str, str]]:
    return [(t, TAB_LABELS[t]) for t in TAB_ROOTS]


def euros(amount: Any) -> str:
    """An amount as French people write it: 12 345,67 €."""
    if amount in (None, ""):
        return "—"
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return str(amount)
    whole, cents = f"{value:,.2f}".split(".")
    return whole.replace(",", "\u202f") + "," + cents + "\u00a0€"


def format_datetime(value: Any) -> str:
    """An ISO timestamp as French readers expect it, in Paris time: 03/09/2026 à 14 h 05."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if not isinstance(value, str) or not value:
        return "—" if value in (None, "") else str(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Europe/Paris"))
    return moment.strftime("%d/%m/%Y à %H h %M")


HISTORY_LABELS = {
    "case_opened": "Dossier ouvert",
    "revision_received": "Nouvelle révision reçue",
    "revision_ignored": "Révision ancienne ignorée",
    "checks_run": "Contrôles automatiques passés",
    "check_overridden": "Résultat d'un contrôle modifié",
    "assigned": "Dossier attribué",
    "unassigned": "Attribution retirée",
    "engaged": "Engagé (conforme)",
    "implicitly_accepted": "Acceptation implicite à l'échéance",
    "anomaly_raised": "Anomalie notifiée",
    "refused": "Refus notifié",
    "implicitly_refused": "Refus implicite à l'échéance",
    "document_received": "Document reçu",
    "case_resumed": "Instruction reprise",
    "deadline_alert": "Alerte avant l'échéance",
    "letter_stored": "Courrier déposé sur le contrat",
    "deposit": "Dépôt auprès de l'administration",
    "withdrawn": "Dossier retiré",
    "note_added": "Note privée ajoutée",
}
LETTER_LABELS = {
    "agreement": "Courrier d'accord",
    "anomaly": "Courrier d'anomalie",
    "refusal": "Courrier de refus",
    "implicit_refusal": "Courrier de refus implicite",
    "implicit_acceptance": "Courrier d'acceptation implicite",
}
LETTER_STATUSES = {"pending": "En préparation", "stored": "Déposé sur le contrat"}
