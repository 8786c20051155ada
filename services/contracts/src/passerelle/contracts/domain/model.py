"""One import for the domain model: the form by tabs, the code lists, the `Contract` aggregate and its events."""

from .codes import *  # noqa: F403
from .contract import EDITABLE_STATUSES, Contract
from .errors import (
    ContractNotEditable,
    ContractTypeMismatch,
    DomainError,
    InvalidAmendment,
    InvalidTransition,
    TransmissionRefused,
)
from .events import *  # noqa: F403
from .form import (
    Address,
    BenefitsInKind,
    ContractForm,
    ContractTerms,
    DeclaredPayPeriod,
    Employee,
    Employer,
    Introduction,
    LegalRepresentative,
    Qualification,
    Synthesis,
    Training,
    TrainingOrganisation,
    TrainingSite,
    Tutor,
)

__all__ = [
    "EDITABLE_STATUSES",
    "Address",
    "BenefitsInKind",
    "Contract",
    "ContractForm",
    "ContractNotEditable",
    "ContractTerms",
    "ContractTypeMismatch",
    "DeclaredPayPeriod",
    "DomainError",
    "Employee",
    "Employer",
    "InvalidAmendment",
    "InvalidTransition",
    "Introduction",
    "LegalRepresentative",
    "Qualification",
    "Synthesis",
    "Training",
    "TrainingOrganisation",
    "TrainingSite",
    "TransmissionRefused",
    "Tutor",
]
