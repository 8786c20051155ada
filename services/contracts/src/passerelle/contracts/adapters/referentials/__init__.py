"""Offline referentials: small JSON samples of the establishment and qualification directories, and the
platform's IDCC → OPCO table."""

from .offline import OfflineEstablishmentDirectory, OfflineOpcoDirectory, OfflineQualificationDirectory

__all__ = ["OfflineEstablishmentDirectory", "OfflineOpcoDirectory", "OfflineQualificationDirectory"]
