"""Fakes for the service layer (no I/O): an in-memory database with transactions, store and scanner."""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from passerelle.documents.domain.access import ContractAccess
from passerelle.documents.domain.errors import UnsafeContent
from passerelle.documents.domain.model import Document, DocumentStatus
from passerelle.documents.service_layer.context import Documents
from passerelle.documents.service_layer.ports import ObjectMissing, ScannerError, ScanResult, StorageError, StoredObject
from passerelle.libs.auth import Principal, principal_from_claims
from passerelle.libs.revisions import is_newer
from passerelle.libs.testing import samples
from passerelle.libs.testing.fakes import FakeClock, FakeStore
from passerelle.libs.testing.fakes import FakeUnitOfWork as BaseFakeUnitOfWork
from passerelle.libs.testing.tokens import employer_claim, opco_claim, training_claim

EMPLOYER_SIRET = "73282932000074"
TRAINING_UAI = "0751234J"
TRAINING_SIRET = "19750001700015"
OPCO = "OPCO-EP"


@dataclass
class FakeState(FakeStore):
    """The committed rows (the kit's store keeps the events, the commits and the failures asked for)."""

    documents: dict[UUID, Document] = field(default_factory=dict)
    contracts: dict[UUID, ContractAccess] = field(default_factory=dict)


class FakeDocuments:
    def __init__(self, rows: dict[UUID, Document], contracts: dict[UUID, ContractAccess]) -> None:
        self.rows = rows
        self.contracts = contracts

    async def with_access(self, document_id: UUID) -> tuple[Document | None, ContractAccess | None]:
        document = copy.deepcopy(self.rows.get(document_id))
        return document, self.contracts.get(document.contract_id) if document else None

    async def add(self, document: Document) -> None:
        assert document.id not in self.rows
        self.rows[document.id] = copy.deepcopy(document)

    async def get(self, document_id: UUID) -> Document | None:
        return copy.deepcopy(self.rows.get(document_id))

    async def current_of(self, contract_id: UUID, document_type: str) -> Document | None:
        same = [d for d in self.rows.values() if d.contract_id == contract_id and d.document_type == document_type]
        return copy.deepcopy(max(same, key=lambda d: d.version)) if same else None

    async def of_contract(self, contract_id: UUID) -> list[Document]:
        return [copy.deepcopy(d) for d in self.rows.values() if d.contract_id == contract_id]

    async def known_keys(self, keys: list[str]) -> set[str]:
        return {d.object_key for d in self.rows.values()} & set(keys)

    async def stored_before(self, before: datetime, after_id: UUID | None, limit: int) -> list[tuple[UUID, str]]:
        rows = sorted(
            (d.id, d.object_key)
            for d in self.rows.values()
            if d.status == DocumentStatus.STORED and d.uploaded_at < before
        )
        if after_id is not None:
            rows = [r for r in rows if r[0] > after_id]
        return rows[:limit]

    async def mark_missing(self, document_ids: list[UUID]) -> int:
        marked = 0
        for document_id in document_ids:
            if self.rows[document_id].status == DocumentStatus.STORED:
                self.rows[document_id].status = DocumentStatus.MISSING
                marked += 1
        return marked


class FakeContracts:
    def __init__(self, rows: dict[UUID, ContractAccess]) -> None:
        self.rows = rows

    async def get(self, contract_id: UUID, *, for_update: bool = False) -> ContractAccess | None:
        return self.rows.get(contract_id)

    async def route(self, contract_id: UUID, opco_code: str, at: object) -> None:
        from dataclasses import replace

        current = self.rows.get(contract_id)
        if current is not None:
            self.rows[contract_id] = replace(current, routed_opco_code=opco_code, transmitted=True)

    async def apply(self, access: ContractAccess) -> None:
        old = self.rows.get(access.contract_id)
        transmitted = access.transmitted or bool(old and old.transmitted)
        if old is not None:
            if access.contract_version is not None or old.contract_version is not None:
                older = not is_newer(access.contract_version, old.contract_version)
            else:
                older = bool(old.updated_at and access.updated_at and access.updated_at < old.updated_at)
            if older:
                access = replace(old, deleted=old.deleted or access.deleted)
        self.rows[access.contract_id] = ContractAccess(**{**access.__dict__, "transmitted": transmitted})


class FakeUnitOfWork(BaseFakeUnitOfWork):
    """Works on a copy of the state; commit makes the copy the state (so a failed commit changes nothing)."""

    state: FakeState

    def __init__(self, state: FakeState) -> None:
        super().__init__("documents", state)
        self.state = state

    async def __aenter__(self) -> FakeUnitOfWork:
        await super().__aenter__()
        self._documents = copy.deepcopy(self.state.documents)
        self._contracts = dict(self.state.contracts)
        self.documents = FakeDocuments(self._documents, self._contracts)
        self.contracts = FakeContracts(self._contracts)
        return self

    def _on_commit(self) -> None:
        self.state.documents = self._documents
        self.state.contracts = self._contracts


class FakeReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)
        self.closed = False

    def chunks(self) -> Iterator[bytes]:
        yield self.data

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeStorage:
    clock: Any = None
    objects: dict[str, tuple[bytes, str, datetime]] = field(default_factory=dict)
    down: bool = False
    puts: int = 0

    async def put(self, key: str, data: Any, size: int, media_type: str) -> None:
        if self.down:
            raise StorageError("connection refused")
        self.puts += 1
        body = data.read()
        assert len(body) == size
        self.objects[key] = (body, media_type, self.clock() if self.clock else datetime.now(UTC))

    async def delete(self, key: str) -> None:
        if self.down:
            raise StorageError("connection refused")
        self.objects.pop(key, None)

    async def open(self, key: str) -> FakeReader:
        if self.down:
            raise StorageError("connection refused")
        if key not in self.objects:
            raise ObjectMissing(key)
        return FakeReader(self.objects[key][0])

    def download_url(self, key: str, filename: str, media_type: str, ttl_seconds: int) -> str:
        return f"https://store.example/{key}?ttl={ttl_seconds}"

    async def list(self, prefix: str) -> list[StoredObject]:
        return [StoredObject(k, when) for k, (_, _, when) in self.objects.items() if k.startswith(prefix)]


@dataclass
class FakeScanner:
    down: bool = False
    cannot_scan: bool = False
    scanned: int = 0
    sessions: list[FakeScanSession] = field(default_factory=list)

    def verdict(self, content: bytes) -> ScanResult:
        if self.down:
            raise ScannerError("clamd unreachable")
        self.scanned += 1
        if self.cannot_scan:
            return ScanResult(clean=False, detail="INSTREAM size limit exceeded. ERROR", failed=True)
        if b"EICAR-STANDARD" in content:
            return ScanResult(clean=False, detail="Eicar-Test-Signature")
        return ScanResult(clean=True)

    def session(self) -> FakeScanSession:
        self.sessions.append(FakeScanSession(self))
        return self.sessions[-1]

    async def scan(self, data: Any, size: int) -> ScanResult:
        return self.verdict(data.read())


@dataclass
class FakeScanSession:
    scanner: FakeScanner
    fed: bytearray = field(default_factory=bytearray)
    closed: bool = False

    async def feed(self, chunk: bytes) -> None:
        self.fed += chunk

    async def result(self) -> ScanResult:
        return self.scanner.verdict(bytes(self.fed))

    async def aclose(self) -> None:
        self.closed = True


class FakeInspector:
    """Accepts every file unless told a refusal (the real parsers are tested in test_structure_inspection.py)."""

    def __init__(self) -> None:
        self.refusal: str | None = None
        self.inspected: list[str] = []

    def inspect(self, reader, media_type: str) -> None:
        self.inspected.append(media_type)
        if self.refusal is not None:
            raise UnsafeContent(self.refusal)


@pytest.fixture
def inspector() -> FakeInspector:
    return FakeInspector()


@pytest.fixture
def state() -> FakeState:
    return FakeState()


@pytest.fixture
def storage(clock) -> FakeStorage:
    return FakeStorage(clock=clock)


@pytest.fixture
def scanner() -> FakeScanner:
    return FakeScanner()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(tick=timedelta(milliseconds=1))


@pytest.fixture
def docs(state, storage, scanner, inspector, clock) -> Documents:
    return Documents(
        uow_factory=lambda: FakeUnitOfWork(state),
        storage=storage,
        scanner=scanner,
        inspector=inspector,
        max_upload_bytes=1024,
        scan_max_bytes=4096,
        download_url_ttl_seconds=300,
        clock=clock,
    )


@pytest.fixture
def contract_id(state) -> UUID:
    contract_id = uuid4()
    state.contracts[contract_id] = ContractAccess(
        contract_id=contract_id,
        employer_siret=EMPLOYER_SIRET,
        training_uai=TRAINING_UAI,
        training_siret=TRAINING_SIRET,
        opco_code=OPCO,
        transmitted=False,
        updated_at=datetime(2026, 8, 1, tzinfo=UTC),
    )
    return contract_id


def _principal(*orgs: dict[str, Any], kind: str = "user") -> Principal:
    return principal_from_claims({"sub": str(uuid4()), "kind": kind, "orgs": list(orgs)})


@pytest.fixture
def employer() -> Principal:
    return _principal(employer_claim(EMPLOYER_SIRET))


@pytest.fixture
def training() -> Principal:
    return _principal(training_claim(TRAINING_UAI))


@pytest.fixture
def opco_staff() -> Principal:
    return _principal(opco_claim(OPCO))


@pytest.fixture
def stranger() -> Principal:
    return _principal(employer_claim("55210055400013"))


@pytest.fixture
def pdf() -> bytes:
    return b"%PDF-1.7\n" + b"x" * 200


@pytest.fixture
def eicar_pdf() -> bytes:
    return samples.eicar_pdf()


@pytest.fixture
def new_bytes_io():
    return io.BytesIO


@pytest.fixture
def fake_uow(state) -> FakeUnitOfWork:
    return FakeUnitOfWork(state)
