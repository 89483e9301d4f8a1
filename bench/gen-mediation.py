#!/usr/bin/env python3
"""Writes N generated rows of the national schema "lieux de médiation
numérique" (all 32 columns, valid, deterministic) to standard output.

usage: gen-mediation.py N [SEED]
"""
import csv, random, sys

COLUMNS = ["id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse",
    "complement_adresse", "latitude", "longitude", "typologie", "telephone", "courriels",
    "site_web", "horaires", "presentation_resume", "presentation_detail", "source",
    "itinerance", "structure_parente", "date_maj", "services",
    "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
    "dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels",
    "modalites_acces", "modalites_accompagnement", "fiche_acces_libre", "prise_rdv"]
KINDS = ["Médiathèque", "Espace public numérique", "Tiers-lieu", "Centre social",
    "Fablab", "France Services", "Maison de quartier", "Bibliothèque"]
TOWNS = [("Brest", "29200", "29019", 48.39, -4.49), ("Grenoble", "38000", "38185", 45.19, 5.72),
    ("Lyon", "69001", "69381", 45.76, 4.83), ("Rennes", "35000", "35238", 48.11, -1.68),
    ("Nantes", "44000", "44109", 47.22, -1.55), ("Lille", "59000", "59350", 50.63, 3.06),
    ("Bordeaux", "33000", "33063", 44.84, -0.58), ("Marseille", "13001", "13201", 43.30, 5.37)]
TYPO = ["BIB", "ASSO", "TIERS_LIEUX", "CS", "MUNI", "FRANCE_SERVICE", "CCAS"]
SERVICES = ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique", "Loisirs et créations numériques",
    "Accès internet et matériel informatique"]

def luhn_siret(prefix13):
    for d in range(10):
        s = prefix13 + str(d)
        tot = 0
        for i, c in enumerate(reversed(s)):
            x = int(c) * (2 if i % 2 else 1)
            tot += x - 9 if x > 9 else x
        if tot % 10 == 0:
            return s

def main():
    n = int(sys.argv[1])
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(COLUMNS)
    for i in range(n):
        town, cp, insee, lat, lon = TOWNS[i % len(TOWNS)]
        kind = KINDS[rnd.randrange(len(KINDS))]
        row = {c: "" for c in COLUMNS}
        row.update({
            "id": f"lieu-{i}",
            "pivot": luhn_siret(f"{2100000000000 + i // 2:013d}"),
            "nom": f"{kind} {town} n°{i}",
            "commune": town, "code_postal": cp, "code_insee": insee,
            "adresse": f"{1 + i % 300} rue de la République",
            "latitude": f"{lat + rnd.uniform(-0.2, 0.2):.5f}",
            "longitude": f"{lon + rnd.uniform(-0.2, 0.2):.5f}",
            "typologie": TYPO[i % len(TYPO)],
            "telephone": f"+33{rnd.randrange(100000000, 999999999)}",
            "courriels": f"contact{i}@example.org",
            "site_web": f"https://lieu{i}.example.org/",
            "horaires": "Mo-Fr 09:00-12:00,14:00-18:00",
            "presentation_resume": f"Ateliers numériques et accompagnement à {town}.",
            "date_maj": f"2024-0{1 + i % 9}-1{i % 10}",
            "services": "|".join(rnd.sample(SERVICES, 2)),
            "frais_a_charge": "Gratuit",
            "modalites_accompagnement": "Accompagnement individuel|Dans un atelier collectif",
        })
        w.writerow([row[c] for c in COLUMNS])

main()
