"""The documents service's errors: a kind (libs maps it to a status), one French message for people, one
machine code, the field concerned.

An `UploadRefused` is about the file itself: the service records it (`document.rejected`) and stores nothing.
"""

from __future__ import annotations

from passerelle.libs.errors import DomainError, ErrorKind, FieldError, Forbidden, Gone, NotFound, Unavailable


def _mib(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f} Mo" if value == int(value) else f"{value:.1f} Mo".replace(".", ",")


class UploadRefused(DomainError):
    """A file refused on its merits (empty, too large, not an allowed type, infected)."""

    reason_code: str = "refused"

    def __init__(self, message: str, code: str, kind: ErrorKind = ErrorKind.INVALID) -> None:
        super().__init__(message, code, fields=[FieldError(path="file", code=code, message=message)])
        self.kind = kind  # type: ignore[misc]  # the kind of this refusal (too large, unsupported, invalid)


class EmptyFile(UploadRefused):
    reason_code = "empty"

    def __init__(self) -> None:
        super().__init__("Le fichier est vide.", "document_empty")


class FileTooLarge(UploadRefused):
    reason_code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Le fichier dépasse la taille maximale autorisée ({_mib(limit)}).",
            "document_too_large",
            ErrorKind.TOO_LARGE,
        )


class FileTooLargeToScan(UploadRefused):
    reason_code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Le fichier est trop volumineux pour être analysé par l'antivirus ({_mib(limit)} au plus).",
            "document_too_large_to_scan",
            ErrorKind.TOO_LARGE,
        )


class TypeNotAllowed(UploadRefused):
    reason_code = "type_not_allowed"

    def __init__(self, executable: bool = False) -> None:
        what = "Ce fichier est un programme exécutable" if executable else "Ce type de fichier n'est pas accepté"
        super().__init__(
            f"{what} : seuls les fichiers PDF, PNG et JPEG sont acceptés (le contenu du fichier fait foi, "
            "pas son nom).",
            "document_type_not_allowed",
            ErrorKind.UNSUPPORTED,
        )


_UNSAFE: dict[str, str] = {
    "unreadable": "Le fichier est endommagé ou n'est pas un PDF, PNG ou JPEG valide de bout en bout.",
    "trailing_data": "Des données inattendues suivent la fin du document (fichier composite) : il est refusé.",
    "archive": "Le fichier est aussi une archive (ZIP) : seuls les PDF, PNG et JPEG simples sont acceptés.",
    "javascript": "Le PDF contient du JavaScript : enregistrez-le sans script (par exemple en l'imprimant en PDF).",
    "active_content": "Le PDF contient des actions automatiques (lancement, envoi de formulaire) : il est refusé.",
    "embedded_file": "Le PDF contient des fichiers joints : déposez chaque pièce séparément.",
    "xfa_form": "Le PDF contient un formulaire dynamique (XFA) : enregistrez-le en PDF simple.",
    "rich_media": "Le PDF contient du contenu multimédia actif : il est refusé.",
}


class UnsafeContent(UploadRefused):
    """The file read whole is not only the document it claims to be (see adapters/inspection.py)."""

    def __init__(self, reason: str) -> None:
        self.reason_code = f"unsafe_{reason}"
        super().__init__(_UNSAFE.get(reason, _UNSAFE["unreadable"]), f"document_unsafe_{reason}", ErrorKind.INVALID)


class Infected(UploadRefused):
    reason_code = "infected"

    def __init__(self) -> None:
        super().__init__(
            "Le fichier contient un virus ou un contenu malveillant : il a été refusé et n'a pas été enregistré.",
            "document_infected",
        )


class ScanFailed(UploadRefused):
    reason_code = "scan_failed"

    def __init__(self) -> None:
        super().__init__(
            "L'antivirus n'a pas pu analyser ce fichier : il a été refusé par précaution.",
            "document_scan_failed",
        )


class ScannerUnavailable(Unavailable):
    code = "scan_unavailable"
    message = "L'analyse antivirus est momentanément indisponible, veuillez réessayer."


class StorageUnavailable(Unavailable):
    code = "storage_unavailable"
    message = "Le stockage des documents est indisponible, veuillez réessayer."


class ContractNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Contrat introuvable.", "contract_not_found")


class DocumentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Document introuvable.", "document_not_found")


class DocumentContentMissing(Gone):
    code = "document_content_missing"
    message = "Le fichier de ce document est introuvable dans le stockage ; il doit être déposé à nouveau."


class DocumentAccessDenied(Forbidden):
    code = "document_access_denied"
    message = "Vous n'avez pas accès aux documents de ce contrat."


class LetterReservedToOpco(DocumentAccessDenied):
    def __init__(self) -> None:
        super().__init__("Seul l'OPCO du contrat peut déposer ses courriers d'accord ou d'anomalie.")
