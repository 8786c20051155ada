"""What opco-processing consumes: transmissions (cases), documents (resuming cases), withdrawals."""

from __future__ import annotations

from passerelle.libs.consumer import HandlerTable
from passerelle.opco_processing.service_layer import intake
from passerelle.schemas.events.contracts import ContractArchived, ContractDeleted, ContractTransmitted
from passerelle.schemas.events.documents import DocumentUploaded

HANDLERS: HandlerTable = {
    ContractTransmitted: intake.receive_transmission,
    DocumentUploaded: intake.receive_document,
    ContractArchived: intake.withdraw,
    ContractDeleted: intake.withdraw,
}
