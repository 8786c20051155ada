"""French words for the values events carry."""

CONTRACT_TYPES = {"apprentissage": "d'apprentissage", "professionnalisation": "de professionnalisation"}

DOCUMENT_TYPES = {
    "convention_formation": "convention de formation",
    "convention_reduction_duree": "convention de réduction de durée",
    "convention_mobilite": "convention de mobilité",
    "cerfa_signe": "Cerfa signé",
    "courrier_accord": "courrier d'accord",
    "courrier_anomalie": "courrier d'anomalie",
    "piece_justificative": "pièce justificative",
    "autre": "document",
}

ROLES = {
    "admin": "administrateur",
    "contributor": "contributeur",
    "reviewer": "instructeur",
    "supervisor": "superviseur",
}
