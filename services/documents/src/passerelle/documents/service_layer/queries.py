"""Reading documents: a contract's lines of versions, one document, its download URL or its content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from passerelle.documents.domain.access import Viewer, may_see
from passerelle.documents.domain.errors import (
    DocumentContentMissing,
    DocumentNotFound,
    StorageUnavailable,
)
from passerelle.documents.domain.model import Document, DocumentLine, document_lines
from passerelle.documents.service_layer.context import Documents
from passerelle.documents.service_layer.ports import ObjectMissing, ObjectReader, StorageError
from passerelle.documents.service_layer.uploads import contract_access
from passerelle.libs.logging import get_logger

log = get_logger(__name__)


async def contract_documents(docs: Documents, contract_id: UUID, viewer: Viewer) -> list[DocumentLine]:
    await contract_access(docs, contract_id, viewer)
    async with docs.reads() as uow:
        return document_lines(await uow.documents.of_contract(contract_id))


async def visible_document(docs: Documents, document_id: UUID, viewer: Viewer) -> Document:
    async with docs.reads() as uow:
        document, access = await uow.documents.with_access(document_id)
    # Not found alike whether it does not exist or the viewer may not see it.
    if document is None or access is None or not may_see(viewer, access):
        raise DocumentNotFound()
    return document


@dataclass(frozen=True)
class DownloadUrl:
    url: str
    expires_at: datetime
    document: Document


async def download_url(docs: Documents, document_id: UUID, viewer: Viewer) -> DownloadUrl:
    document = await visible_document(docs, document_id, viewer)
    if not document.downloadable:
        raise DocumentContentMissing()
    ttl = docs.download_url_ttl_seconds
    url = docs.storage.download_url(document.object_key, document.filename, document.media_type, ttl)
    return DownloadUrl(url=url, expires_at=docs.clock() + timedelta(seconds=ttl), document=document)


async def open_content(docs: Documents, document_id: UUID, viewer: Viewer) -> tuple[Document, ObjectReader]:
    document = await visible_document(docs, document_id, viewer)
    if not document.downloadable:
        raise DocumentContentMissing()
    try:
        return document, await docs.storage.open(document.object_key)
    except ObjectMissing as exc:
        log.error("stored document has no object", document_id=str(document.id), object_key=document.object_key)
        async with docs.uow_factory() as uow:
            await uow.documents.mark_missing([document.id])
            await uow.commit()
        raise DocumentContentMissing() from exc
    except StorageError as exc:
        raise StorageUnavailable() from exc
