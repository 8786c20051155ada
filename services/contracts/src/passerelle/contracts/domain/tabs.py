"""The tabs of the contract form and the tab each field path belongs to."""

from __future__ import annotations

from enum import StrEnum


class Tab(StrEnum):
    INTRODUCTION = "introduction"
    EMPLOYER = "employeur"
    EMPLOYEE = "salarie"
    TUTOR = "tuteur"
    CONTRACT = "contrat"
    TRAINING = "formation"
    SYNTHESIS = "synthese"
    DOCUMENTS = "documents"

    @property
    def label(self) -> str:
        return TAB_LABELS[self]


TAB_LABELS = {
    Tab.INTRODUCTION: "Introduction",
    Tab.EMPLOYER: "Employeur",
    Tab.EMPLOYEE: "Salarié / Apprenti",
    Tab.TUTOR: "Tuteur / Maître d'apprentissage",
    Tab.CONTRACT: "Contrat",
    Tab.TRAINING: "Formation",
    Tab.SYNTHESIS: "Synthèse",
    Tab.DOCUMENTS: "Documents",
}

_TAB_OF_ROOT = {
    "introduction": Tab.INTRODUCTION,
    "employer": Tab.EMPLOYER,
    "employee": Tab.EMPLOYEE,
    "tutors": Tab.TUTOR,
    "tutor_eligibility_attested": Tab.TUTOR,
    "contract": Tab.CONTRACT,
    "training": Tab.TRAINING,
    "synthesis": Tab.SYNTHESIS,
    "documents": Tab.DOCUMENTS,
}


def tab_of(path: str) -> Tab:
    """The tab a field path belongs to (`tutors[0].birth_date` -> tuteur)."""
    end = len(path)
    for separator in ".[":
        index = path.find(separator)
        if index != -1 and index < end:
            end = index
    return _TAB_OF_ROOT[path[:end]]
