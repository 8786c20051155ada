"""Value types shared by several events."""

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

ContractType = Literal["apprentissage", "professionnalisation"]
OrganisationKind = Literal["employer", "training", "opco"]
Role = Literal["admin", "contributor", "reviewer", "supervisor"]
DocumentType = Literal[
    "convention_formation",
    "convention_reduction_duree",
    "convention_mobilite",
    "cerfa_signe",
    "courrier_accord",
    "courrier_anomalie",
    "piece_justificative",
    "autre",
]


class ContractParties(BaseModel):
    """The organisations on a contract: who may see it, who is told about it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    employer_siret: str | None = Field(default=None, description="The employer establishment's SIRET (14 digits)")
    training_uai: str | None = Field(default=None, description="The training organisation's UAI (7 digits + letter)")
    training_siret: str | None = Field(default=None, description="The training organisation's SIRET")
    opco_code: str | None = Field(default=None, description="Code of the OPCO that funds and registers the contract")
    employer_may_see: bool = Field(
        default=True,
        description="False while a training organisation's draft is not yet proposed to the employer: the "
        "employer's members do not see it (nor its documents) until then",
    )
    private_to: UUID | None = Field(
        default=None,
        description="Set while the draft is private to its creator (this account id): drafted for an organisation "
        "whose control is not proven yet, it is seen by its creator only (nor by that organisation's other "
        "members, nor by the other side, nor by notifications) until the organisation is verified",
    )


class DocumentRef(BaseModel):
    """A reference to a stored document (the bytes stay in the documents service)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    document_id: UUID = Field(description="Document id in the documents service")
    document_type: DocumentType = Field(description="What the document is")
    version: int = Field(ge=1, description="Version of this document type on the contract")
    sha256: str = Field(description="SHA-256 of the content, hex")
