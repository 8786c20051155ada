"""Adding a document to a contract: check the file, scan it, store it, record it, announce it.

The order is what keeps the database and the store in step (nothing half-written is ever visible):
1. the file is checked (size, type by content) and scanned before anything is written; a refused file
   writes only a `document.rejected` event;
2. the object is written under a server-generated key; if the store fails, nothing was written anywhere
   and the upload answers 503;
3. one transaction writes the row with its version (the contract's projection row is locked, so two
   uploads of one type get distinct versions) and queues `document.uploaded` in the outbox; if it fails,
   the object is removed (best effort).
A row therefore always names a stored object. A crash between 2 and 3 (or a failed removal) leaves an
object that no row names: the reconciliation (reconcile.py) removes such orphans after a grace period,
and marks rows whose object has disappeared.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import UUID, uuid4

from passerelle.documents.adapters.spool import SpooledUpload
from passerelle.documents.domain.access import ContractAccess, Viewer, may_see, may_upload
from passerelle.documents.domain.content import MediaType, looks_executable, sniff_media_type
from passerelle.documents.domain.errors import (
    ContractNotFound,
    EmptyFile,
    FileTooLarge,
    FileTooLargeToScan,
    Infected,
    LetterReservedToOpco,
    ScanFailed,
    ScannerUnavailable,
    StorageUnavailable,
    TypeNotAllowed,
    UploadRefused,
)
from passerelle.documents.domain.filenames import safe_filename
from passerelle.documents.domain.model import Document, ScanVerdict, next_version, object_key_for
from passerelle.documents.service_layer.context import Documents
from passerelle.documents.service_layer.ports import ScannerError, ScanSession, StorageError
from passerelle.libs.errors import Unavailable
from passerelle.libs.logging import get_logger
from passerelle.schemas.events.documents import DocumentRejected, DocumentUploaded

log = get_logger(__name__)


@dataclass(frozen=True)
class UploadDocument:
    """The command: who adds which kind of document to which contract, under what name."""

    contract_id: UUID
    document_type: str
    filename: str | None
    uploader_id: UUID
    uploader_kind: str = "user"
    correlation_id: UUID | None = None

    @property
    def account_id(self) -> UUID | None:
        """Events name the account of a person; a machine client's uploads are the service's."""
        return self.uploader_id if self.uploader_kind == "user" else None


class DocumentNotSaved(Unavailable):
    code = "document_not_saved"
    message = "L'enregistrement du document a échoué, veuillez réessayer."


async def contract_access(docs: Documents, contract_id: UUID, viewer: Viewer) -> ContractAccess:
    """The contract as the projection knows it, if the viewer may see its documents (checked before any upload)."""
    async with docs.reads() as uow:
        access = await uow.contracts.get(contract_id)
    # One answer for a contract that does not exist and one the viewer may not see: ids are not revealed.
    if access is None or not may_see(viewer, access):
        raise ContractNotFound()
    return access


async def stored_version(docs: Documents, contract_id: UUID, document_type: str, sha256: str) -> Document | None:
    """The version of this type on the contract whose content has this SHA-256, if one is stored (an object the
    reconciliation found missing does not count: the same bytes are stored again)."""
    async with docs.reads() as uow:
        versions = await uow.documents.of_contract(contract_id)
    return next(
        (d for d in versions if d.document_type == document_type and d.sha256 == sha256 and d.downloadable), None
    )


def check_content(upload: SpooledUpload, max_bytes: int, scan_max_bytes: int) -> MediaType:
    """Size and type, decided by the content (never by the name or the declared type)."""
    if upload.too_large:
        raise FileTooLarge(max_bytes)
    if upload.size == 0:
        raise EmptyFile()
    media_type = sniff_media_type(upload.head)
    if media_type is None:
        raise TypeNotAllowed(executable=looks_executable(upload.head))
    if upload.size > scan_max_bytes:
        raise FileTooLargeToScan(scan_max_bytes)
    return media_type


async def scan(docs: Documents, upload: SpooledUpload, session: ScanSession | None) -> None:
    """The verdict of a session fed while the file arrived, or of a scan of the whole received file."""
    try:
        result = await (session.result() if session is not None else docs.scanner.scan(upload.reader(), upload.size))
    except ScannerError as exc:
        log.error("antivirus unavailable", error=str(exc))
        raise ScannerUnavailable() from exc
    if result.failed:
        log.warning("antivirus could not scan the file", detail=result.detail)
        raise ScanFailed()
    if not result.clean:
        log.warning("infected upload refused", signature=result.detail)
        raise Infected()


async def record_rejection(docs: Documents, command: UploadDocument, refusal: UploadRefused, media: str) -> None:
    try:
        async with docs.uow_factory() as uow:
            uow.publish(
                DocumentRejected(
                    contract_id=command.contract_id,
                    document_type=command.document_type,  # type: ignore[arg-type]
                    filename=safe_filename(command.filename, media),
                    reason_code=refusal.reason_code,
                    reason=refusal.message,
                    rejected_by=command.account_id,
                    rejected_at=docs.clock(),
                ),
                correlation_id=command.correlation_id,
            )
            await uow.commit()
    except Exception as exc:  # noqa: BLE001 - the refusal is the answer; losing its event is only logged
        log.error("document.rejected not recorded", contract_id=str(command.contract_id), error=repr(exc))


async def upload_document(
    docs: Documents,
    command: UploadDocument,
    upload: SpooledUpload,
    viewer: Viewer,
    access: ContractAccess | None = None,
    scan_session: ScanSession | None = None,
) -> Document:
    """`access` is the contract as checked before the body was read (checked here otherwise);
    `scan_session` the antivirus fed with the body as it arrived (the received file is scanned otherwise)."""
    if access is None:
        access = await contract_access(docs, command.contract_id, viewer)
    if not may_upload(viewer, access, command.document_type):
        raise LetterReservedToOpco()
    sniffed = sniff_media_type(upload.head)
    try:
        media_type = check_content(upload, docs.max_upload_bytes, docs.scan_max_bytes)
    except UploadRefused as refusal:
        await record_rejection(docs, command, refusal, sniffed.name if sniffed else "")
        raise

    # The scan and the object's upload run side by side: nothing names the object until the metadata
    # row is written, which happens only once the file is known clean, so an infected file is never
    # downloadable; its object is deleted at once (and by the reconciliation after a crash).
    document_id = uuid4()
    object_key = object_key_for(command.contract_id, document_id)
    # The whole structure is read by a parser of the type at the same time (CPU-bound: in a thread); the
    # antivirus's verdict is told first when both refuse.
    outcomes: list[BaseException | None] = await asyncio.gather(
        scan(docs, upload, scan_session),
        docs.storage.put(object_key, upload.reader(), upload.size, media_type.name),
        asyncio.to_thread(docs.inspector.inspect, upload.reader(), media_type.name),
        return_exceptions=True,
    )
    scanned, stored, inspected = outcomes
    if not isinstance(scanned, BaseException) and isinstance(inspected, BaseException):
        scanned = inspected
    if isinstance(scanned, BaseException):
        if not isinstance(stored, BaseException):
            await discard_object(docs, object_key)
        if isinstance(scanned, UploadRefused):
            await record_rejection(docs, command, scanned, sniffed.name if sniffed else "")
        raise scanned
    if isinstance(stored, StorageError):
        log.error("object store unavailable, upload abandoned", contract_id=str(command.contract_id), error=str(stored))
        raise StorageUnavailable() from stored
    if isinstance(stored, BaseException):
        raise stored

    try:
        document = await record_stored(docs, command, document_id, object_key, upload, media_type.name)
    except Exception as exc:
        log.error("document not recorded after its object was stored", object_key=object_key, error=repr(exc))
        await discard_object(docs, object_key)
        raise DocumentNotSaved() from exc
    log.info(
        "document stored",
        document_id=str(document.id),
        contract_id=str(document.contract_id),
        document_type=document.document_type,
        version=document.version,
        size=document.size,
    )
    return document


async def record_stored(
    docs: Documents,
    command: UploadDocument,
    document_id: UUID,
    object_key: str,
    upload: SpooledUpload,
    media_type: str,
) -> Document:
    async with docs.uow_factory() as uow:
        # One upload at a time per contract from here: versions of a type are given in order.
        await uow.contracts.get(command.contract_id, for_update=True)
        current = await uow.documents.current_of(command.contract_id, command.document_type)
        following = next_version([current] if current else [], command.document_type)
        document = Document(
            id=document_id,
            contract_id=command.contract_id,
            document_type=command.document_type,
            filename=safe_filename(command.filename, media_type),
            size=upload.size,
            sha256=upload.sha256,
            media_type=media_type,
            object_key=object_key,
            uploaded_by=command.uploader_id,
            uploaded_by_kind=command.uploader_kind,
            uploaded_at=docs.clock(),
            scan_verdict=ScanVerdict.CLEAN,
            version=following.version,
            supersedes=following.supersedes,
        )
        await uow.documents.add(document)
        uow.publish(
            DocumentUploaded(
                document_id=document.id,
                contract_id=document.contract_id,
                document_type=document.document_type,  # type: ignore[arg-type]
                version=document.version,
                supersedes=document.supersedes,
                filename=document.filename,
                size=document.size,
                sha256=document.sha256,
                media_type=document.media_type,
                uploaded_by=command.account_id,
                uploaded_at=document.uploaded_at,
            ),
            correlation_id=command.correlation_id,
        )
        await uow.commit()
    return document


async def discard_object(docs: Documents, object_key: str) -> None:
    """Best effort; an object left behind has no row and the reconciliation removes it."""
    try:
        await docs.storage.delete(object_key)
    except StorageError as exc:
        log.warning("object left for the reconciliation", object_key=object_key, error=str(exc))
