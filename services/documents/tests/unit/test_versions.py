from datetime import UTC, datetime
from uuid import uuid4

from passerelle.documents.domain.model import (
    Document,
    DocumentStatus,
    document_lines,
    next_version,
    object_key_for,
)

CONTRACT = uuid4()


def doc(document_type="convention_formation", version=1, status=DocumentStatus.STORED):
    document_id = uuid4()
    return Document(
        id=document_id,
        contract_id=CONTRACT,
        document_type=document_type,
        filename="f.pdf",
        size=1,
        sha256="0" * 64,
        media_type="application/pdf",
        object_key=object_key_for(CONTRACT, document_id),
        uploaded_by=None,
        uploaded_by_kind="user",
        uploaded_at=datetime.now(UTC),
        scan_verdict="clean",
        status=status,
        version=version,
    )


def test_the_first_upload_of_a_type_is_version_one():
    first = next_version([], "convention_formation")
    assert (first.version, first.supersedes) == (1, None)
    assert next_version([doc("cerfa_signe")], "convention_formation").supersedes is None


def test_a_new_upload_supersedes_the_newest_version_of_its_type():
    v1, v2, other = doc(version=1), doc(version=2), doc("cerfa_signe", version=7)
    following = next_version([v2, other, v1], "convention_formation")
    assert following.version == 3
    assert following.supersedes == v2.id


def test_object_names_are_generated_from_ids_only():
    document_id = uuid4()
    assert object_key_for(CONTRACT, document_id) == f"contracts/{CONTRACT}/{document_id}"


def test_lines_list_each_type_once_newest_version_first_in_the_catalogue_order():
    v1, v2 = doc(version=1), doc(version=2)
    cerfa = doc("cerfa_signe")
    other = doc("autre")
    lines = document_lines([other, v1, cerfa, v2])
    assert [line.document_type for line in lines] == ["convention_formation", "cerfa_signe", "autre"]
    assert lines[0].current is v2
    assert lines[0].versions == (v2, v1)


def test_a_missing_object_stays_listed_but_is_not_downloadable():
    missing = doc(status=DocumentStatus.MISSING)
    assert document_lines([missing])[0].current is missing
    assert not missing.downloadable
    assert doc().downloadable
