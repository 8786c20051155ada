"""Offline referentials: small JSON samples of the establishment and qualification directories."""

from .offline import OfflineEstablishmentDirectory, OfflineQualificationDirectory

__all__ = ["OfflineEstablishmentDirectory", "OfflineQualificationDirectory"]
