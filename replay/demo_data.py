"""Reference data of the demo data set: Mali's regions and districts, cadres, names and the
calibration anchors. Only constants live here; ``replay.demo`` turns them into commands."""

from dataclasses import dataclass
from datetime import date

from domain.values import CadreGroup, Sex


@dataclass(frozen=True)
class RegionSpec:
    """A region: its census count of 2009, continuous annual growth, HR user and health districts.

    Attributes:
        code: the org unit code, e.g. "KAY".
        name: the region's name.
        census_2009: the RGPH 2009 count (0 for a region split off later).
        growth: the annual growth rate, compounded continuously.
        districts: the names of its health districts in 2009 (Bamako's are its communes).
        cscoms: how many community health centres its districts hold altogether.
        clinics: how many private clinics it holds.
        hard_to_reach: the share of its CSComs that are hard to reach.
        north: True for the Saharan regions, whose names and places sound different.
    """

    code: str
    name: str
    census_2009: int
    growth: float
    districts: tuple[str, ...]
    cscoms: int
    clinics: int
    hard_to_reach: float
    north: bool = False


REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec(
        "KAY",
        "Kayes",
        1993615,
        0.0338,
        ("Kayes", "Bafoulabé", "Diéma", "Kéniéba", "Kita", "Nioro", "Yélimané", "Oussoubidiagna"),
        200,
        8,
        0.08,
    ),
    RegionSpec(
        "KOU",
        "Koulikoro",
        2422108,
        0.0394,
        ("Koulikoro", "Banamba", "Dioïla", "Fana", "Kangaba", "Kati", "Kolokani", "Nara", "Ouélessébougou"),
        210,
        12,
        0.04,
    ),
    RegionSpec(
        "SIK",
        "Sikasso",
        2643179,
        0.0358,
        ("Sikasso", "Bougouni", "Kadiolo", "Kignan", "Kolondiéba", "Koutiala", "Sélingué", "Yanfolila", "Yorosso"),
        230,
        10,
        0.03,
    ),
    RegionSpec(
        "SEG",
        "Ségou",
        2338349,
        0.0303,
        ("Ségou", "Barouéli", "Bla", "Macina", "Markala", "Niono", "San", "Tominian"),
        190,
        8,
        0.05,
    ),
    RegionSpec(
        "MOP",
        "Mopti",
        2036209,
        0.0287,
        ("Mopti", "Bandiagara", "Bankass", "Djenné", "Douentza", "Koro", "Ténenkou", "Youwarou"),
        160,
        6,
        0.30,
    ),
    RegionSpec(
        "TOM",
        "Tombouctou",
        674793,
        0.0383,
        ("Tombouctou", "Diré", "Goundam", "Gourma-Rharous", "Niafunké", "Araouane", "Boujbeha"),
        80,
        2,
        0.60,
        True,
    ),
    RegionSpec(
        "GAO", "Gao", 542304, 0.0420, ("Gao", "Ansongo", "Bourem", "Ménaka", "Andéramboukane"), 70, 3, 0.60, True
    ),
    RegionSpec("KID", "Kidal", 67739, 0.0507, ("Kidal", "Abeïbara", "Tessalit", "Tin-Essako"), 20, 0, 0.60, True),
    RegionSpec(
        "BKO",
        "Bamako",
        1810366,
        0.0525,
        ("Commune I", "Commune II", "Commune III", "Commune IV", "Commune V", "Commune VI"),
        60,
        150,
        0.0,
    ),
)

SPLIT_ON = date(2016, 1, 19)
"""When the regions of Ménaka and Taoudénit opened (Loi n°2012-017), taking districts of Gao and Tombouctou."""
SPLIT_AUTHORITY = "Loi N°2012-017 du 02 mars 2012"
SPLIT_REGIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("MEN", "Ménaka", "GAO", ("Ménaka", "Andéramboukane")),
    ("TAO", "Taoudénit", "TOM", ("Araouane", "Boujbeha")),
)
DISTRICT_SIZES = {"Ménaka": 0.3, "Andéramboukane": 0.3, "Araouane": 0.05, "Boujbeha": 0.05}
"""The districts split off in 2016 are small: their CSRef's staff and share of CSComs shrink by this."""
MENAKA_2009 = 56104
"""The Ménaka cercle's count in 2009; it grows at Gao's rate."""
TAOUDENIT_SHARE = 0.02
"""Taoudénit's invented share of Tombouctou's population (no reliable census figure exists)."""

REGION_USERS = {
    "KAY": "kayes.rh", "KOU": "koulikoro.rh", "SIK": "sikasso.rh", "SEG": "segou.rh", "MOP": "mopti.rh",
    "TOM": "tombouctou.rh", "GAO": "gao.rh", "KID": "kidal.rh", "BKO": "bamako.rh", "MEN": "menaka.rh",
    "TAO": "taoudenit.rh",
}  # fmt: skip
NATIONAL_USER = "dnrh.admin"
BAMAKO_PRIVATE_USER = "bamako.prive"

NATIONAL_HOSPITALS: tuple[tuple[str, str, str, str, date, float], ...] = (
    # (district name, code suffix, name, HR user, opened on, staff weight relative to a CSCom)
    ("Commune III", "POINTG", "CHU du Point G", "pointg.rh", date(1977, 1, 1), 70.0),
    ("Commune III", "GT", "CHU Gabriel Touré", "gabrieltoure.rh", date(1977, 1, 1), 70.0),
    ("Commune III", "IOTA", "CHU IOTA", "iota.rh", date(1977, 1, 1), 20.0),
    ("Commune III", "CNOS", "CHU d'Odontostomatologie (CNOS)", "cnos.rh", date(1986, 1, 1), 12.0),
    ("Commune VI", "HDM", "Hôpital du Mali", "hopitaldumali.rh", date(2010, 9, 22), 50.0),
    ("Kati", "KATI", "CHU Bocar Sidy Sall de Kati", "kati.rh", date(1977, 1, 1), 40.0),
)
REGIONAL_HOSPITALS: dict[str, tuple[str, date]] = {
    "KAY": ("Hôpital Fousseyni Daou de Kayes", date(1977, 1, 1)),
    "KOU": ("Hôpital régional de Koulikoro", date(1992, 3, 1)),
    "SIK": ("Hôpital régional de Sikasso", date(1977, 1, 1)),
    "SEG": ("Hôpital Nianankoro Fomba de Ségou", date(1977, 1, 1)),
    "MOP": ("Hôpital Sominé Dolo de Mopti", date(1977, 1, 1)),
    "TOM": ("Hôpital régional de Tombouctou", date(1980, 1, 1)),
    "GAO": ("Hôpital régional de Gao", date(1977, 1, 1)),
    "KID": ("Hôpital régional de Kidal", date(2004, 6, 1)),
    "MEN": ("Hôpital régional de Ménaka", date(2019, 3, 4)),
}

# Calibration: qualified health workers per 10,000 inhabitants on 31 December, at scale 1.
# Between anchors the figures are interpolated; the regions other than Bamako and Mopti share
# what the national figure leaves, in proportion to REGION_WEIGHTS.
NATIONAL_DENSITY = {2009: 3.2, 2014: 4.0, 2017: 6.0, 2020: 6.3, 2025: 6.6}
PINNED_DENSITY = {
    "BKO": {2009: 12.5, 2014: 16.0, 2017: 23.0, 2020: 23.2, 2025: 23.5},
    "MOP": {2009: 1.6, 2014: 2.0, 2017: 3.0, 2020: 3.1, 2025: 3.4},
}
REGION_WEIGHTS = {
    "KAY": 1.0, "KOU": 1.12, "SIK": 1.0, "SEG": 1.0, "TOM": 1.06, "GAO": 1.15, "KID": 1.45, "MEN": 1.0, "TAO": 0.97,
}  # fmt: skip


@dataclass(frozen=True)
class CadreSpec:
    """A cadre, with how often its members are men and where they can work."""

    code: str
    name: str
    isco08: str
    group: CadreGroup
    qualified: bool
    male_share: float
    kinds: frozenset[str] = frozenset({"CSCOM", "CSREF", "HOPITAL_REGIONAL", "HOPITAL_NATIONAL", "CLINIQUE"})


_NOT_CSCOM = frozenset({"CSREF", "HOPITAL_REGIONAL", "HOPITAL_NATIONAL", "CLINIQUE"})
_PRIMARY = frozenset({"CSCOM", "CSREF"})
CADRES: tuple[CadreSpec, ...] = (
    CadreSpec("MED-GEN", "Médecin généraliste", "2211", CadreGroup.DOCTOR, True, 0.72),
    CadreSpec("MED-SPE", "Médecin spécialiste", "2212", CadreGroup.DOCTOR, True, 0.78, _NOT_CSCOM),
    CadreSpec("IDE", "Infirmier d'État", "2221", CadreGroup.NURSE, True, 0.55),
    CadreSpec("IO", "Infirmier obstétricien", "3221", CadreGroup.NURSE, True, 0.12),
    CadreSpec("TS", "Technicien de santé", "3221", CadreGroup.NURSE, True, 0.58),
    CadreSpec("SF", "Sage-femme", "2222", CadreGroup.MIDWIFE, True, 0.0),
    CadreSpec("MAT", "Matrone", "3222", CadreGroup.MIDWIFE, False, 0.0, _PRIMARY),
    CadreSpec("PHA", "Pharmacien", "2262", CadreGroup.PHARMACIST, False, 0.62),
    CadreSpec("TPHA", "Technicien de pharmacie", "3213", CadreGroup.OTHER, False, 0.5),
    CadreSpec("TLAB", "Technicien de laboratoire", "3212", CadreGroup.OTHER, False, 0.68),
    CadreSpec("ASC", "Agent de santé communautaire", "3253", CadreGroup.OTHER, False, 0.6, _PRIMARY),
    CadreSpec("AM", "Aide-soignant", "3256", CadreGroup.OTHER, False, 0.35),
    CadreSpec("DENT", "Chirurgien-dentiste", "2261", CadreGroup.OTHER, False, 0.7, _NOT_CSCOM),
)
CADRE_BY_CODE = {c.code: c for c in CADRES}

_HOSPITAL_QUALIFIED = {"MED-GEN": 14, "MED-SPE": 20, "IDE": 36, "IO": 6, "TS": 10, "SF": 16}
_HOSPITAL_OTHERS = {"AM": 40, "TLAB": 28, "PHA": 12, "TPHA": 8, "DENT": 12}
QUALIFIED_MIX: dict[str, dict[str, int]] = {
    "CSCOM": {"MED-GEN": 14, "IDE": 10, "IO": 14, "TS": 40, "SF": 22},
    "CSREF": {"MED-GEN": 20, "MED-SPE": 6, "IDE": 26, "IO": 12, "TS": 16, "SF": 20},
    "HOPITAL_REGIONAL": _HOSPITAL_QUALIFIED,
    "HOPITAL_NATIONAL": {"MED-GEN": 12, "MED-SPE": 26, "IDE": 38, "IO": 4, "TS": 6, "SF": 14},
    "CLINIQUE": {"MED-GEN": 30, "MED-SPE": 14, "IDE": 30, "TS": 8, "SF": 18},
}
OTHER_MIX: dict[str, dict[str, int]] = {
    "CSCOM": {"MAT": 45, "ASC": 25, "AM": 20, "TLAB": 5, "TPHA": 5},
    "CSREF": {"AM": 35, "TLAB": 25, "PHA": 8, "TPHA": 10, "MAT": 12, "DENT": 10},
    "HOPITAL_REGIONAL": _HOSPITAL_OTHERS,
    "HOPITAL_NATIONAL": _HOSPITAL_OTHERS,
    "CLINIQUE": {"AM": 45, "TLAB": 25, "PHA": 15, "TPHA": 15},
}
REQUALIFICATIONS = {"TS": "IDE", "MAT": "SF", "MED-GEN": "MED-SPE", "AM": "TS"}
"""Who can come back from study leave in a new cadre."""

JOB_TITLES = {
    "MED-GEN": "Médecin", "MED-SPE": "Médecin spécialiste", "IDE": "Infirmier", "IO": "Infirmier obstétricien",
    "TS": "Technicien de santé", "SF": "Sage-femme", "MAT": "Matrone", "PHA": "Pharmacien",
    "TPHA": "Gérant du dépôt de médicaments", "TLAB": "Technicien de laboratoire",
    "ASC": "Agent de santé communautaire", "AM": "Aide-soignant", "DENT": "Chirurgien-dentiste",
}  # fmt: skip
CSCOM_HEAD = "Directeur technique du centre (DTC)"

FAMILY_NAMES_SOUTH = (
    "Traoré", "Coulibaly", "Diarra", "Keïta", "Koné", "Sissoko", "Diallo", "Sangaré", "Dembélé", "Konaté", "Kanté",
    "Doumbia", "Samaké", "Bagayoko", "Fofana", "Sidibé", "Diakité", "Camara", "Berthé", "Dao", "Goïta", "Mariko",
    "Sylla", "Tangara", "Sanogo", "Ouattara", "Bengaly", "Mallé", "Sacko", "Soumaré", "Tounkara", "Diawara",
    "Kouyaté", "Cissoko", "Magassa", "Kamissoko", "Niaré", "Togola", "Konaré", "Doucouré", "Kané", "Fomba",
)  # fmt: skip
FAMILY_NAMES_CENTRE = (
    "Dolo", "Guindo", "Tembély", "Kassogué", "Dicko", "Cissé", "Sow", "Bah", "Barry", "Togo", "Ongoïba", "Poudiougo",
    "Karembé", "Djimdé", "Tapily", "Koïta", "Traoré", "Coulibaly", "Diarra", "Touré", "Maïga", "Sidibé",
)  # fmt: skip
FAMILY_NAMES_NORTH = (
    "Maïga", "Touré", "Cissé", "Haïdara", "Ag Mohamed", "Ag Alhassane", "Ag Intalla", "Alwata", "Yattara", "Tamboura",
    "Dicko", "Sidibé", "Ould Mohamed", "Abdoulaye", "Alassane", "Traoré", "Boncana", "Assadeck",
)  # fmt: skip
MALE_NAMES = (
    "Moussa", "Mamadou", "Oumar", "Seydou", "Boubacar", "Abdoulaye", "Ibrahim", "Modibo", "Bakary", "Souleymane",
    "Adama", "Amadou", "Sidiki", "Drissa", "Issa", "Yacouba", "Lassana", "Salif", "Cheick Oumar", "Mahamadou",
    "Hamidou", "Aliou", "Youssouf", "Siaka", "Daouda", "Tiémoko", "Bréhima", "Fousseyni", "Mohamed", "Alassane",
)  # fmt: skip
FEMALE_NAMES = (
    "Aminata", "Fatoumata", "Mariam", "Kadiatou", "Awa", "Oumou", "Aïssata", "Djénéba", "Salimata", "Assitan", "Hawa",
    "Rokia", "Fanta", "Kadidia", "Nana", "Sira", "Bintou", "Maïmouna", "Korotoumou", "Ramata", "Safiatou", "Tenin",
    "Sanata", "Haby", "Coumba", "Ami", "Mariétou", "Zeinabou", "Fadimata", "Lalla",
)  # fmt: skip
GIVEN_NAMES = {Sex.MALE: MALE_NAMES, Sex.FEMALE: FEMALE_NAMES}

PLACE_PARTS_SOUTH = (
    ("Ba", "Bou", "Da", "Dia", "Do", "Fa", "Ka", "Kalaban", "Kan", "Ko", "Kou", "Ma", "Ni", "Nia", "Sa", "Sé", "Si",
     "So", "Ti", "To", "Ya", "Sébé", "Bana", "Sama", "Fala", "Dou", "Zan", "Kéle", "Sanan", "Mori"),
    ("", "", "ra", "né", "la", "ko", "ni", "dian"),
    ("bougou", "koro", "dougou", "-Coura", "bala", "ni", "la", "na", "so", "béni", "kan", "diéni", "ba", "fing"),
)  # fmt: skip
PLACE_PARTS_NORTH = (
    ("Tin-", "In-", "Ta", "Ber", "Ana", "Ti", "Ha", "Tess", "Ago", "Tar", "Bam", "Ha", "Er-", "Tah"),
    ("", "", "ra", "ka", "ma"),
    ("ssako", "tahaka", "rhar", "kint", "fis", "ssit", "mbou", "bara", "djoufa", "hara", "lit", "goun"),
)  # fmt: skip

TRAININGS: tuple[tuple[str, str, str, int, int], ...] = (
    # (course, kind, provider, first year, last year)
    ("Soins obstétricaux et néonatals d'urgence (SONU)", "IN_SERVICE", "UNFPA", 2009, 2025),
    ("Prise en charge intégrée des maladies de l'enfant (PCIME)", "IN_SERVICE", "UNICEF", 2009, 2025),
    ("Planification familiale : méthodes de longue durée", "IN_SERVICE", "USAID", 2009, 2025),
    ("Prise en charge des cas de paludisme", "IN_SERVICE", "PNLP", 2009, 2025),
    ("Prévention et contrôle des infections (Ebola)", "IN_SERVICE", "OMS", 2014, 2016),
    ("Programme élargi de vaccination (PEV)", "IN_SERVICE", "UNICEF", 2009, 2025),
    ("Prise en charge du VIH et de la tuberculose", "IN_SERVICE", "Fonds mondial", 2009, 2025),
    ("Gestion des médicaments essentiels", "IN_SERVICE", "DPM", 2009, 2025),
    ("Système local d'information sanitaire (DHIS2)", "IN_SERVICE", "CPS Santé", 2015, 2025),
    ("Échographie obstétricale", "CONTINUING", "FMOS", 2009, 2025),
    ("Management des districts sanitaires", "CONTINUING", "INFSS", 2009, 2025),
    ("Nutrition : prise en charge de la malnutrition aiguë", "IN_SERVICE", "UNICEF", 2009, 2025),
    ("Surveillance épidémiologique (COVID-19)", "IN_SERVICE", "INSP", 2020, 2022),
)
TRAINING_OUTCOMES = ("CERTIFIED", "CERTIFIED", "CERTIFIED", "ATTENDED", "ATTENDED", "FAILED")
PARTNERS = ("USAID", "UNICEF", "UNFPA", "Fonds mondial", "Banque mondiale", "MSF")
