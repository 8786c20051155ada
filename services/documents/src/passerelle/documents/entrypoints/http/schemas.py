"""What the HTTP API shows of documents (the tables never leak into it)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from passerelle.documents.domain.model import DOCUMENT_TYPE_LABELS, Document, DocumentLine
from passerelle.schemas.events.common import DocumentType


class DocumentPublic(BaseModel):
    id: UUID = Field(description="Identifiant du document")
    contract_id: UUID = Field(description="Le contrat auquel il est joint")
    document_type: DocumentType = Field(description="Type de document")
    document_type_label: str = Field(description="Libellé du type, pour l'affichage")
    version: int = Field(description="Version de ce type sur ce contrat (1, 2, ...)")
    supersedes: UUID | None = Field(description="La version précédente qu'il remplace")
    current: bool = Field(description="Vrai pour la version en vigueur de ce type")
    filename: str = Field(description="Nom d'affichage (nettoyé)")
    size: int = Field(description="Taille en octets")
    sha256: str = Field(description="Empreinte SHA-256 du contenu (hexadécimal)")
    media_type: str = Field(description="Type déterminé d'après le contenu")
    uploaded_by: UUID | None = Field(description="Compte (ou client de service) qui l'a déposé")
    uploaded_by_kind: str = Field(description="user ou client")
    uploaded_at: datetime = Field(description="Date du dépôt")
    scan_verdict: str = Field(description="Résultat de l'analyse antivirus")
    status: str = Field(description="stored, ou missing si le fichier a disparu du stockage")
    downloadable: bool = Field(description="Le fichier peut être téléchargé")

    @classmethod
    def of(cls, document: Document, current: bool = True) -> DocumentPublic:
        return cls(
            id=document.id,
            contract_id=document.contract_id,
            document_type=document.document_type,  # type: ignore[arg-type]
            document_type_label=DOCUMENT_TYPE_LABELS.get(document.document_type, document.document_type),
            version=document.version,
            supersedes=document.supersedes,
            current=current,
            filename=document.filename,
            size=document.size,
            sha256=document.sha256,
            media_type=document.media_type,
            uploaded_by=document.uploaded_by,
            uploaded_by_kind=document.uploaded_by_kind,
            uploaded_at=document.uploaded_at,
            scan_verdict=document.scan_verdict,
            status=str(document.status),
            downloadable=document.downloadable,
        )


class DocumentLinePublic(BaseModel):
    document_type: DocumentType = Field(description="Type de document")
    document_type_label: str = Field(description="Libellé du type")
    current: DocumentPublic = Field(description="La version en vigueur")
    versions: list[DocumentPublic] = Field(description="Toutes les versions, la plus récente d'abord")

    @classmethod
    def of(cls, line: DocumentLine) -> DocumentLinePublic:
        versions = [DocumentPublic.of(d, current=i == 0) for i, d in enumerate(line.versions)]
        return cls(
            document_type=line.document_type,  # type: ignore[arg-type]
            document_type_label=DOCUMENT_TYPE_LABELS.get(line.document_type, line.document_type),
            current=versions[0],
            versions=versions,
        )


class ContractDocuments(BaseModel):
    contract_id: UUID
    documents: list[DocumentLinePublic] = Field(description="Un élément par type de document présent")


class DownloadLink(BaseModel):
    url: str = Field(description="Adresse de téléchargement signée, valable peu de temps")
    expires_at: datetime = Field(description="Fin de validité de l'adresse")
    filename: str
    media_type: str
    size: int
    sha256: str
