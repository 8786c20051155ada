"""The upload use case with fakes: checks, versions, events, and what is left when a dependency fails."""

from datetime import timedelta
from uuid import uuid4

import pytest

from passerelle.documents.adapters.spool import SpooledUpload
from passerelle.documents.domain.errors import (
    ContractNotFound,
    DocumentContentMissing,
    DocumentNotFound,
    EmptyFile,
    FileTooLarge,
    FileTooLargeToScan,
    Infected,
    LetterReservedToOpco,
    ScanFailed,
    ScannerUnavailable,
    StorageUnavailable,
    TypeNotAllowed,
)
from passerelle.documents.domain.model import DocumentStatus
from passerelle.documents.service_layer import queries
from passerelle.documents.service_layer.reconcile import reconcile
from passerelle.documents.service_layer.uploads import DocumentNotSaved, UploadDocument, upload_document
from passerelle.schemas.events.documents import DocumentRejected, DocumentUploaded


def spooled(data: bytes, limit: int = 1024) -> SpooledUpload:
    upload = SpooledUpload(limit, memory_bytes=128)
    for i in range(0, len(data), 100):
        upload.write(data[i : i + 100])
    return upload


async def upload(docs, contract_id, who, data, document_type="convention_formation", filename="convention.pdf"):
    command = UploadDocument(contract_id, document_type, filename, who.subject, who.kind)
    with spooled(data, docs.max_upload_bytes) as received:
        return await upload_document(docs, command, received, who)


async def test_a_clean_pdf_is_stored_recorded_and_announced(docs, state, storage, contract_id, employer, pdf):
    document = await upload(docs, contract_id, employer, pdf, filename="../Convention.PDF")

    assert document.version == 1 and document.supersedes is None
    assert document.status == DocumentStatus.STORED
    assert document.filename == "Convention.pdf"
    assert document.media_type == "application/pdf"
    assert document.object_key == f"contracts/{contract_id}/{document.id}"
    assert storage.objects[document.object_key][0] == pdf
    assert state.documents[document.id].status == DocumentStatus.STORED
    [event] = state.events
    assert isinstance(event, DocumentUploaded)
    assert (event.document_id, event.version, event.size, event.sha256) == (
        document.id,
        1,
        len(pdf),
        document.sha256,
    )
    assert event.uploaded_by == employer.subject


async def test_a_new_upload_of_a_type_supersedes_the_last_and_keeps_it(
    docs, state, contract_id, employer, training, pdf
):
    first = await upload(docs, contract_id, employer, pdf)
    second = await upload(docs, contract_id, training, pdf + b"v2")
    cerfa = await upload(docs, contract_id, employer, pdf, document_type="cerfa_signe")

    assert (second.version, second.supersedes) == (2, first.id)
    assert (cerfa.version, cerfa.supersedes) == (1, None)
    [line_formation, line_cerfa] = await queries.contract_documents(docs, contract_id, employer)
    assert [d.id for d in line_formation.versions] == [second.id, first.id]
    assert line_cerfa.current.id == cerfa.id
    assert [e.version for e in state.events] == [1, 2, 1]


@pytest.mark.parametrize(
    ("data", "refusal", "reason"),
    [
        (b"", EmptyFile, "empty"),
        (b"%PDF-" + b"a" * 2000, FileTooLarge, "too_large"),
        (b"MZ\x90\x00\x03" + b"\0" * 100, TypeNotAllowed, "type_not_allowed"),
        (b"GIF89a" + b"\0" * 100, TypeNotAllowed, "type_not_allowed"),
    ],
)
async def test_refused_files_store_nothing_and_are_announced(
    docs, state, storage, scanner, contract_id, employer, data, refusal, reason
):
    with pytest.raises(refusal):
        await upload(docs, contract_id, employer, data, filename="dossier/piège.pdf")
    assert state.documents == {} and storage.objects == {}
    assert scanner.scanned == 0  # checked before being scanned
    [event] = state.events
    assert isinstance(event, DocumentRejected)
    assert event.reason_code == reason
    assert event.filename.startswith("piège")
    assert event.rejected_by == employer.subject


async def test_an_infected_file_is_refused_and_never_stored(docs, state, storage, contract_id, employer, eicar_pdf):
    with pytest.raises(Infected) as refused:
        await upload(docs, contract_id, employer, eicar_pdf)
    assert refused.value.status_code == 422
    assert "virus" in refused.value.message
    assert state.documents == {} and storage.objects == {}
    [event] = state.events
    assert (event.topic, event.reason_code) == ("document.rejected", "infected")


async def test_a_file_the_antivirus_cannot_scan_is_refused(docs, state, scanner, contract_id, employer, pdf):
    scanner.cannot_scan = True
    with pytest.raises(ScanFailed):
        await upload(docs, contract_id, employer, pdf)
    assert [e.reason_code for e in state.events] == ["scan_failed"]


async def test_a_file_larger_than_the_scan_limit_is_refused_before_scanning(
    docs, state, scanner, contract_id, employer
):
    docs.max_upload_bytes, docs.scan_max_bytes = 4096, 512
    with pytest.raises(FileTooLargeToScan):
        await upload(docs, contract_id, employer, b"%PDF-" + b"a" * 1000)
    assert scanner.scanned == 0
    assert [e.reason_code for e in state.events] == ["too_large"]


async def test_antivirus_down_fails_the_upload_without_a_refusal(
    docs, state, storage, scanner, contract_id, employer, pdf
):
    scanner.down = True
    with pytest.raises(ScannerUnavailable) as error:
        await upload(docs, contract_id, employer, pdf)
    assert error.value.status_code == 503
    assert state.documents == {} and storage.objects == {} and state.events == []


async def test_storage_down_leaves_neither_row_nor_object(docs, state, storage, contract_id, employer, pdf):
    storage.down = True
    with pytest.raises(StorageUnavailable) as error:
        await upload(docs, contract_id, employer, pdf)
    assert error.value.status_code == 503
    assert error.value.message == "Le stockage des documents est indisponible, veuillez réessayer."
    assert state.documents == {} and storage.objects == {} and state.events == []


async def test_database_failure_after_the_object_is_written_removes_the_object(
    docs, state, storage, contract_id, employer, pdf
):
    original = docs.storage.put

    async def put_then_break_the_database(*args):
        await original(*args)
        state.fail_commits = 1

    storage.put = put_then_break_the_database
    with pytest.raises(DocumentNotSaved) as error:
        await upload(docs, contract_id, employer, pdf)
    assert error.value.status_code == 503
    assert storage.objects == {} and state.documents == {} and state.events == []


async def test_a_crash_after_the_put_leaves_an_orphan_that_the_reconciliation_removes(
    docs, state, storage, clock, contract_id, employer, pdf
):
    original = docs.storage.put

    class ProcessDied(BaseException):
        """Stands for the process dying: like SystemExit, nothing catches it, no clean-up runs."""

    async def put_then_crash(*args):
        await original(*args)
        raise ProcessDied

    storage.put = put_then_crash
    with pytest.raises(ProcessDied):
        await upload(docs, contract_id, employer, pdf)
    [orphan] = storage.objects
    assert state.documents == {} and state.events == []  # no row names a missing object

    report = await reconcile(docs, timedelta(hours=1))
    assert report.orphan_objects_removed == 0  # within the grace period: maybe an upload in progress
    clock.now += timedelta(hours=2)
    report = await reconcile(docs, timedelta(hours=1))
    assert report.orphan_objects_removed == 1
    assert storage.objects == {}


async def test_the_reconciliation_removes_orphan_objects_and_marks_missing_ones(
    docs, state, storage, clock, contract_id, employer, pdf
):
    kept = await upload(docs, contract_id, employer, pdf)
    lost = await upload(docs, contract_id, employer, pdf, document_type="cerfa_signe")
    orphan_key = f"contracts/{contract_id}/{uuid4()}"
    storage.objects[orphan_key] = (pdf, "application/pdf", clock.now - timedelta(days=1))
    young_orphan = f"contracts/{contract_id}/{uuid4()}"
    storage.objects[young_orphan] = (pdf, "application/pdf", clock.now + timedelta(hours=5))
    del storage.objects[lost.object_key]
    for key, (body, media, _) in list(storage.objects.items()):
        if key != young_orphan:
            storage.objects[key] = (body, media, clock.now - timedelta(days=1))

    report = await reconcile(docs, timedelta(hours=1))
    assert (report.orphan_objects_removed, report.missing_marked) == (1, 1)
    assert set(storage.objects) == {kept.object_key, young_orphan}
    assert state.documents[lost.id].status == DocumentStatus.MISSING
    with pytest.raises(DocumentContentMissing):
        await queries.download_url(docs, lost.id, employer)
    again = await reconcile(docs, timedelta(hours=1))
    assert (again.orphan_objects_removed, again.missing_marked) == (0, 0)


async def test_uploading_to_an_unknown_contract_is_refused(docs, employer, pdf):
    with pytest.raises(ContractNotFound) as error:
        await upload(docs, uuid4(), employer, pdf)
    assert (error.value.status_code, error.value.message) == (404, "Contrat introuvable.")


async def test_a_stranger_may_neither_upload_nor_read(docs, state, contract_id, employer, stranger, pdf):
    # Not found, as for ids that do not exist: a stranger learns nothing (issue #10, item 9).
    document = await upload(docs, contract_id, employer, pdf)
    with pytest.raises(ContractNotFound):
        await upload(docs, contract_id, stranger, pdf)
    for read in (queries.visible_document, queries.download_url, queries.open_content):
        with pytest.raises(DocumentNotFound):
            await read(docs, document.id, stranger)
    with pytest.raises(ContractNotFound):
        await queries.contract_documents(docs, contract_id, stranger)
    assert len(state.events) == 1  # a refused person causes no event


async def test_the_opco_sees_documents_once_transmitted_and_adds_its_letters(
    docs, state, contract_id, employer, opco_staff, pdf
):
    document = await upload(docs, contract_id, employer, pdf)
    with pytest.raises(DocumentNotFound):
        await queries.download_url(docs, document.id, opco_staff)
    with pytest.raises(LetterReservedToOpco):
        await upload(docs, contract_id, employer, pdf, document_type="courrier_accord")

    state.contracts[contract_id] = state.contracts[contract_id].__class__(
        **{**state.contracts[contract_id].__dict__, "transmitted": True}
    )
    link = await queries.download_url(docs, document.id, opco_staff)
    assert link.url.startswith("https://store.example/contracts/")
    letter = await upload(docs, contract_id, opco_staff, pdf, document_type="courrier_anomalie")
    assert letter.version == 1
    assert await queries.visible_document(docs, letter.id, employer)  # the employer reads the letter


async def test_a_machine_clients_upload_names_no_account_in_the_event(docs, state, contract_id, pdf):
    from passerelle.libs.auth import principal_from_claims
    from passerelle.libs.testing.tokens import employer_claim

    machine = principal_from_claims({"sub": str(uuid4()), "kind": "client", "orgs": [employer_claim("73282932000074")]})
    document = await upload(docs, contract_id, machine, pdf, document_type="cerfa_signe")
    assert document.uploaded_by == machine.subject and document.uploaded_by_kind == "client"
    assert state.events[-1].uploaded_by is None


async def test_a_vanished_object_is_marked_missing_when_read(docs, state, storage, contract_id, employer, pdf):
    document = await upload(docs, contract_id, employer, pdf)
    storage.objects.clear()
    with pytest.raises(DocumentContentMissing):
        await queries.open_content(docs, document.id, employer)
    assert state.documents[document.id].status == DocumentStatus.MISSING


async def test_the_verdict_of_the_scan_fed_while_receiving_is_the_one_used(
    docs, state, storage, scanner, contract_id, employer, pdf, eicar_pdf
):
    # The session was fed the infected file as it arrived; the spool holds it too: the session decides.
    session = scanner.session()
    await session.feed(eicar_pdf)
    command = UploadDocument(contract_id, "convention_formation", "convention.pdf", employer.subject, employer.kind)
    with spooled(eicar_pdf) as received, pytest.raises(Infected):
        await upload_document(docs, command, received, employer, scan_session=session)
    assert storage.objects == {} and state.documents == {}

    clean = scanner.session()
    await clean.feed(pdf)
    with spooled(pdf) as received:
        document = await upload_document(docs, command, received, employer, scan_session=clean)
    assert storage.objects[document.object_key][0] == pdf
    assert scanner.scanned == 2  # both verdicts came from the sessions, none from a second scan
