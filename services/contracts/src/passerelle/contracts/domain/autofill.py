"""Pre-filling parts of a form from the referentials (employer from its SIRET, training from UAI/SIRET, RNCP)."""

from __future__ import annotations

from .form import Address, ContractForm, Employer, Qualification, TrainingOrganisation
from .identifiers import compact
from .referentials import (
    EstablishmentAddress,
    EstablishmentDirectory,
    EstablishmentRecord,
    QualificationDirectory,
    QualificationRecord,
)


def _address(address: EstablishmentAddress) -> Address:
    return Address(
        number=address.number,
        street=address.street,
        complement=address.complement,
        postcode=address.postcode,
        city=address.city,
    )


def employer_from(record: EstablishmentRecord, current: Employer | None = None) -> Employer:
    """The employer tab filled from the directory; what the person typed for contacts is kept."""
    current = current or Employer()
    return current.model_copy(
        update={
            "siret": record.siret,
            "name": record.name,
            "address": _address(record.address),
            "naf_code": record.naf_code,
            "idcc": record.idcc,
            "headcount": record.headcount,
            "employer_type": record.employer_type,
            "supplementary_pension_fund": current.supplementary_pension_fund or record.supplementary_pension_fund,
            "phone": current.phone or record.phone,
            "email": current.email or record.email,
        }
    )


def training_organisation_from(
    record: EstablishmentRecord, current: TrainingOrganisation | None = None
) -> TrainingOrganisation:
    current = current or TrainingOrganisation()
    return current.model_copy(
        update={
            "siret": record.siret,
            "uai": record.uai or current.uai,
            "name": record.name,
            "address": _address(record.address),
            "phone": current.phone or record.phone,
            "email": current.email or record.email,
        }
    )


def qualification_from(record: QualificationRecord, current: Qualification | None = None) -> Qualification:
    current = current or Qualification()
    return current.model_copy(
        update={
            "rncp_code": record.rncp_code,
            "diploma_code": record.diploma_code,
            "title": record.title,
            "diploma_type": record.diploma_type,
            "level": record.level,
        }
    )


def autofill_employer(form: ContractForm, directory: EstablishmentDirectory) -> ContractForm:
    """A copy of the form whose employer tab is filled from its SIRET (unchanged when the SIRET is unknown)."""
    if not form.employer.siret:
        return form
    record = directory.find_by_siret(compact(form.employer.siret))
    if record is None:
        return form
    introduction = form.introduction
    if introduction.employer_sector is None and record.employer_sector is not None:
        introduction = introduction.model_copy(update={"employer_sector": record.employer_sector})
    return form.model_copy(update={"employer": employer_from(record, form.employer), "introduction": introduction})


def autofill_training(
    form: ContractForm, establishments: EstablishmentDirectory, qualifications: QualificationDirectory
) -> ContractForm:
    """A copy of the form whose training organisation (from UAI or SIRET) and qualification (from RNCP) are filled."""
    training = form.training
    organisation = training.organisation or TrainingOrganisation()
    record = None
    if organisation.uai:
        record = establishments.find_by_uai(compact(organisation.uai))
    if record is None and organisation.siret:
        record = establishments.find_by_siret(compact(organisation.siret))
    if record is not None:
        organisation = training_organisation_from(record, organisation)
    qualification = training.qualification
    if qualification is not None and qualification.rncp_code:
        found = qualifications.find_by_rncp(qualification.rncp_code)
        if found is not None:
            qualification = qualification_from(found, qualification)
    return form.model_copy(
        update={"training": training.model_copy(update={"organisation": organisation, "qualification": qualification})}
    )
