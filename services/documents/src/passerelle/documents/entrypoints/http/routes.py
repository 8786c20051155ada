"""The documents HTTP API.

Every route checks the token (libs' `CurrentPrincipal`) and the contract's access rules. A service that
stores generated files (opco-processing's letters, contracts' CERFA PDF) calls the same routes with a
machine client's token whose memberships give it access: an OPCO-scoped client for the OPCO's letters.
"""

from __future__ import annotations

from contextlib import aclosing
from typing import Annotated, Any
from urllib.parse import unquote
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from passerelle.documents.adapters.spool import SpooledUpload
from passerelle.documents.domain.filenames import content_disposition
from passerelle.documents.domain.model import DOCUMENT_TYPES
from passerelle.documents.entrypoints.http.dependencies import CorrelationId, DocumentsDep, SettingsDep
from passerelle.documents.entrypoints.http.receiving import receive_body, receive_multipart
from passerelle.documents.entrypoints.http.schemas import (
    ContractDocuments,
    DocumentLinePublic,
    DocumentPublic,
    DownloadLink,
)
from passerelle.documents.service_layer import queries
from passerelle.documents.service_layer.uploads import (
    UploadDocument,
    contract_access,
    stored_version,
    upload_document,
)
from passerelle.libs.auth import CurrentPrincipal
from passerelle.libs.errors import FieldError, InvalidInput
from passerelle.schemas.events.common import DocumentType

router = APIRouter(tags=["documents"])

_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Jeton absent ou invalide"},
    403: {"description": "Vous n'avez pas accès aux documents de ce contrat"},
    404: {"description": "Contrat introuvable"},
    412: {"description": "Déjà déposé (en-tête If-None-Match) : la version qui a ce contenu"},
    413: {"description": "Fichier trop volumineux"},
    415: {"description": "Type de fichier refusé (seuls PDF, PNG et JPEG, d'après le contenu)"},
    422: {"description": "Fichier vide, infecté, ou formulaire invalide"},
    503: {"description": "Stockage ou antivirus indisponible"},
}
_MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["document_type", "file"],
                    "properties": {
                        "document_type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}
_RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _document_type(value: str | None) -> str:
    if value in DOCUMENT_TYPES:
        return value  # type: ignore[return-value]
    message = (
        "Ce champ est obligatoire."
        if not value
        else f"Type de document inconnu (valeurs possibles : {', '.join(DOCUMENT_TYPES)})."
    )
    raise InvalidInput([FieldError(path="document_type", code="missing" if not value else "enum", message=message)])


@router.post(
    "/contracts/{contract_id}/documents",
    status_code=201,
    summary="Déposer un document sur un contrat (formulaire multipart : document_type, file)",
    response_model=DocumentPublic,
    responses=_REFUSALS,
    openapi_extra=_MULTIPART_BODY,
)
async def upload_form(
    contract_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    docs: DocumentsDep,
    settings: SettingsDep,
    correlation: CorrelationId,
) -> DocumentPublic:
    # Access first: a person who may not see the contract does not get to send a byte.
    access = await contract_access(docs, contract_id, principal)
    # The antivirus takes the file in as it arrives: once the body is read, only its verdict is awaited.
    async with aclosing(docs.scanner.session()) as scan:
        with SpooledUpload(settings.max_upload_bytes, settings.spool_memory_bytes) as upload:
            form = await receive_multipart(request, upload, settings.drain_max_bytes, forward=scan.feed)
            document_type = _document_type(form.fields.get("document_type"))
            if form.files == 0:
                raise InvalidInput([FieldError(path="file", code="missing", message="Ce champ est obligatoire.")])
            command = UploadDocument(
                contract_id=contract_id,
                document_type=document_type,
                filename=form.filename,
                uploader_id=principal.subject,
                uploader_kind=principal.kind,
                correlation_id=correlation,
            )
            document = await upload_document(docs, command, upload, principal, access, scan)
    return DocumentPublic.of(document)


@router.put(
    "/contracts/{contract_id}/documents/{document_type}",
    status_code=201,
    summary="Déposer un document, le corps de la requête étant le fichier (pour les services)",
    response_model=DocumentPublic,
    responses=_REFUSALS,
    openapi_extra=_RAW_BODY,
)
async def upload_raw(
    contract_id: UUID,
    document_type: Annotated[DocumentType, Path(description="Type de document")],
    request: Request,
    principal: CurrentPrincipal,
    docs: DocumentsDep,
    settings: SettingsDep,
    correlation: CorrelationId,
    filename: Annotated[str | None, Query(max_length=255, description="Nom d'origine du fichier")] = None,
    x_filename: Annotated[str | None, Header(description="Nom d'origine, encodé en URL (UTF-8)")] = None,
    if_none_match: Annotated[
        str | None,
        Header(
            description='"<sha256 du fichier>": ne rien déposer si une version de ce type de ce contrat a déjà ce '
            "contenu (réponse 412 avec cette version) : un service qui répète un dépôt après une panne ne le "
            "dépose pas deux fois"
        ),
    ] = None,
) -> DocumentPublic | JSONResponse:
    access = await contract_access(docs, contract_id, principal)
    if if_none_match:
        digest = if_none_match.strip().removeprefix("W/").strip('"').lower()
        existing = await stored_version(docs, contract_id, document_type, digest)
        if existing is not None:
            return JSONResponse(DocumentPublic.of(existing).model_dump(mode="json"), status_code=412)
    async with aclosing(docs.scanner.session()) as scan:
        with SpooledUpload(settings.max_upload_bytes, settings.spool_memory_bytes) as upload:
            await receive_body(request, upload, settings.drain_max_bytes, forward=scan.feed)
            command = UploadDocument(
                contract_id=contract_id,
                document_type=document_type,
                filename=filename or (unquote(x_filename) if x_filename else None),
                uploader_id=principal.subject,
                uploader_kind=principal.kind,
                correlation_id=correlation,
            )
            document = await upload_document(docs, command, upload, principal, access, scan)
    return DocumentPublic.of(document)


@router.get(
    "/contracts/{contract_id}/documents",
    summary="Les documents d'un contrat : la version en vigueur de chaque type et les précédentes",
    response_model=ContractDocuments,
)
async def list_contract_documents(
    contract_id: UUID, principal: CurrentPrincipal, docs: DocumentsDep
) -> ContractDocuments:
    lines = await queries.contract_documents(docs, contract_id, principal)
    return ContractDocuments(contract_id=contract_id, documents=[DocumentLinePublic.of(line) for line in lines])


@router.get("/documents/{document_id}", summary="Les informations d'un document", response_model=DocumentPublic)
async def get_document(document_id: UUID, principal: CurrentPrincipal, docs: DocumentsDep) -> DocumentPublic:
    document = await queries.visible_document(docs, document_id, principal)
    async with docs.reads() as uow:
        current = await uow.documents.current_of(document.contract_id, document.document_type)
    return DocumentPublic.of(document, current=current is not None and current.id == document.id)


@router.get(
    "/documents/{document_id}/download-url",
    summary="Une adresse de téléchargement signée, valable quelques minutes",
    response_model=DownloadLink,
)
async def get_download_url(document_id: UUID, principal: CurrentPrincipal, docs: DocumentsDep) -> DownloadLink:
    link = await queries.download_url(docs, document_id, principal)
    d = link.document
    return DownloadLink(
        url=link.url,
        expires_at=link.expires_at,
        filename=d.filename,
        media_type=d.media_type,
        size=d.size,
        sha256=d.sha256,
    )


@router.get(
    "/documents/{document_id}/content",
    summary="Le fichier, transmis par le service",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
)
async def get_content(document_id: UUID, principal: CurrentPrincipal, docs: DocumentsDep) -> StreamingResponse:
    document, reader = await queries.open_content(docs, document_id, principal)
    return StreamingResponse(
        reader.chunks(),
        media_type=document.media_type,
        headers={
            "Content-Disposition": content_disposition(document.filename),
            "Content-Length": str(document.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{document.sha256}"',
        },
    )
