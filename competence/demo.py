"""The demo municipality's competence plan: funding schemes with grants, themes, the
activity table, sessions with sign-ups, attendance and feedback, needs surveys and the
annual wheel's dated events.

The 2022/23 activities follow the facts of the Ås competence plan's activity table (forms,
target groups, kinds of organiser, dates, funding), written anew for the fictional Solvik:
its own units and demo users organise, and external partners are named by kind. The
current school year's plan is derived from the same table, with sessions spread over the
year relative to ``today`` so there is always something to sign up for and something
already attended. Last school year's plan, the year the demo's status report covers, is
derived from it too and is over: every session held, with attendance and feedback.
Nothing is random: two runs on the same day give the same data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from competence.models import (
    Activity,
    ActivityForm,
    CalendarEvent,
    CompetenceNeed,
    EventAudience,
    EventKind,
    Feedback,
    FundingGrant,
    FundingScheme,
    NeedSurvey,
    Registration,
    RegistrationStatus,
    Session,
    Theme,
)
from plans.models import (
    CoreComponent,
    DevelopmentArea,
    Membership,
    Municipality,
    QualityPlan,
    Role,
    Unit,
    UnitKind,
)
from plans.schoolyear import SchoolYear

FACT_YEAR = 2022  # the Ås table's school year, 2022/23

KOMPETANSELOFTET = "Kompetanseløftet"
DEKOMP = "Dekomp"
REKOMP = "Rekomp"
BUFDIR = "BUFDIR"
OWN_BUDGET = "Eget budsjett"

# name → (description, grant for 2022/23, last school year, this school year)
SCHEMES: dict[str, tuple[str, int, int, int]] = {
    KOMPETANSELOFTET: (
        "Kompetanseløft for spesialpedagogikk og inkluderende praksis: statlig tilskudd til "
        "kompetanse tett på barna, med universitetet som partner.",
        850_000,
        900_000,
        900_000,
    ),
    DEKOMP: ("Desentralisert kompetanseutvikling for skolene.", 420_000, 400_000, 380_000),
    REKOMP: ("Regional kompetanseutvikling for barnehagene.", 310_000, 320_000, 300_000),
    BUFDIR: (
        "Tilskudd fra Barne-, ungdoms- og familiedirektoratet til arbeid mot vold i nære "
        "relasjoner.",
        75_000,
        60_000,
        60_000,
    ),
    OWN_BUDGET: ("Sektorens egne midler til kompetanseutvikling.", 150_000, 150_000, 175_000),
}

INCLUSIVE = "Inkluderende læringsmiljø"
MENTAL_HEALTH = "Psykisk helse"
LEARNING = "Lærevansker"
BEHAVIOUR = "Atferd"
AUTISM = "Autisme"
ABSENCE = "Skolefravær"
BTI = "BTI"
AAC = "ASK (alternativ og supplerende kommunikasjon)"
RELATIONS = "Relasjonskompetanse"
TRAUMA = "Traumer"
LANGUAGE = "Språk og språkvansker"
VIOLENCE = "Vold i nære relasjoner"
LEADERSHIP = "Ledelse og implementering"
THEMES = (
    INCLUSIVE,
    MENTAL_HEALTH,
    LEARNING,
    BEHAVIOUR,
    AUTISM,
    ABSENCE,
    BTI,
    AAC,
    RELATIONS,
    TRAUMA,
    LANGUAGE,
    VIOLENCE,
    LEADERSHIP,
)

# Unit and area names of plans/demo.py.
STAFF_OFFICE = "Oppvekst og kultur – stab"
PPT = "Pedagogisk-psykologisk tjeneste (PPT)"
HEALTH = "Helsestasjon og skolehelsetjeneste"
FAMILY_TEAM = "Familieteamet"
LEARNING_ORG = "Lærende organisasjon"
INCLUSIVE_AREA = "Inkluderende miljø"
EARLY_AREA = "Tidlig innsatskompetanse"
HEALTHY_AREA = "Helsefremmende møteplasser"
LEISURE_CLUB = "Ungdomsklubben Verkstedet"
USN = "universitetet (USN)"

K = UnitKind
CARE_KINDS = (K.KINDERGARTEN, K.SCHOOL, K.SFO, K.HEALTH_STATION, K.CHILD_WELFARE, K.PPT)


@dataclass(frozen=True)
class DemoActivity:
    """One line of the activity table, without its dates."""

    form: str
    title: str
    content: str
    themes: tuple[str, ...]
    target_description: str
    target_kinds: tuple[str, ...] = ()
    target_units: tuple[str, ...] = ()
    target_roles: tuple[str, ...] = ()
    organiser_units: tuple[str, ...] = ()
    partners: str = ""
    organisers: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    place: str = ""


ACTIVITIES: dict[str, DemoActivity] = {
    "plandag": DemoActivity(
        form=ActivityForm.PLANNING_DAY,
        title="Felles plandag for barnehager og skoler",
        content=(
            "Felles start på barnehage- og skoleåret. Barnehagene arbeider med alternativ og "
            "supplerende kommunikasjon, autisme, relasjonskompetanse og inkludering; skolene "
            "med autisme, relasjonskompetanse, inkludering og problematisk skolefravær."
        ),
        themes=(AAC, AUTISM, RELATIONS, INCLUSIVE, ABSENCE),
        target_description=(
            "Alle ansatte i barnehagene og skolene, PPT og tjenestene for barn, unge og familier"
        ),
        target_kinds=(K.KINDERGARTEN, K.SCHOOL, K.PPT, K.HEALTH_STATION, K.CHILD_WELFARE),
        organiser_units=(STAFF_OFFICE, PPT),
        partners=USN,
        organisers=("sektorleder",),
        areas=(INCLUSIVE_AREA,),
        components=("Alle ansatte tar ansvar for inkludering",),
        place="Kulturhuset",
    ),
    "ressursenheter": DemoActivity(
        form=ActivityForm.NETWORK,
        title="Nettverk for ressursenhetene",
        content=(
            "Enhetene med forsterkede tilbud deler erfaringer og reflekterer sammen over "
            "tema de møter i hverdagen."
        ),
        themes=(INCLUSIVE, BEHAVIOUR),
        target_description=(
            "Ressursenhetene: barnehager og skole med forsterket tilbud, og familieteamet"
        ),
        target_units=(
            "Lyngheia barnehage",
            "Tunet naturbarnehage",
            "Nordby oppvekstsenter – skole",
            FAMILY_TEAM,
        ),
        organiser_units=("Lyngheia barnehage", "Tunet naturbarnehage"),
        partners=USN,
        organisers=("kari.dahl", "tor.eide"),
        areas=(LEARNING_ORG,),
        components=("Praksis bygget på kunnskap og fag",),
        place="Hos enhetene, på omgang",
    ),
    "ressurspersoner": DemoActivity(
        form=ActivityForm.SUBJECT_DAY,
        title="Fagdager for ressurspersoner",
        content=(
            "Halve fagdager for dem som har spesialpedagogiske oppgaver: alternativ og "
            "supplerende kommunikasjon, autisme, sosiale og emosjonelle vansker, traumer, "
            "språk og språkvansker, atferd, og bruk av tvang og makt."
        ),
        themes=(AAC, AUTISM, MENTAL_HEALTH, TRAUMA, LANGUAGE, BEHAVIOUR),
        target_description=(
            "Spesialpedagoger i barnehagene, spesialpedagogiske koordinatorer, sosiallærere, "
            "leseveiledere og andre med spesialpedagogiske oppgaver"
        ),
        target_kinds=(K.KINDERGARTEN, K.SCHOOL),
        organiser_units=(PPT,),
        partners=USN,
        organisers=("eva.lund",),
        areas=(EARLY_AREA,),
        place="Hos enhetene",
    ),
    "bti-nettverk": DemoActivity(
        form=ActivityForm.NETWORK,
        title="BTI-nettverk for ressurspersoner",
        content=(
            "Nettverk for BTI-ressurspersonene i enhetene: nivå 0 i handlingsveilederen, den "
            "viktige samtalen, BTI-portalen og oversikten over kommunens tjenester for barn, "
            "unge og familier, gode møter og samtykke, evaluering og gode overganger."
        ),
        themes=(BTI,),
        target_description="BTI-ressurspersonene i alle enheter",
        target_kinds=CARE_KINDS,
        organiser_units=(STAFF_OFFICE,),
        organisers=("bti-koordinator",),
        areas=(EARLY_AREA,),
        components=("Fra oppmerksomhet til handling",),
        place="Kulturhuset",
    ),
    "ledernettverk": DemoActivity(
        form=ActivityForm.LEADER_NETWORK,
        title="Ledernettverk i oppvekst",
        content=(
            "Ledelse, samhandling, kultur, implementering, organisasjonsforståelse og arbeidet "
            "med utviklingsplanene. Universitetet holder innlegg om implementering, om "
            "synergier og handlingsrom og om tverrfaglig møteledelse."
        ),
        themes=(LEADERSHIP,),
        target_description="Virksomhetsledere i oppvekst, også styrerne i de private barnehagene",
        target_roles=(Role.UNIT_LEADER, Role.SECTOR_LEADER),
        organiser_units=(STAFF_OFFICE,),
        partners=USN,
        organisers=("sektorleder",),
        areas=(LEARNING_ORG,),
        components=("Ledelse som gir retning og mestring",),
        place="Hos enhetene; vårsamlingen med overnatting",
    ),
    "vold": DemoActivity(
        form=ActivityForm.SUBJECT_DAY,
        title="Fagdag om vold i nære relasjoner",
        content=(
            "Fagdag og veiledning ute i tjenestene, som del av opplæringsprogrammet Tidlig "
            "inn: å se og snakke om vold i nære relasjoner, og å håndtere alvorlige og "
            "sammensatte saker."
        ),
        themes=(VIOLENCE, MENTAL_HEALTH),
        target_description=(
            "Helsestasjon og skolehelsetjeneste, familieteamet og barneverntjenesten"
        ),
        target_kinds=(K.HEALTH_STATION, K.CHILD_WELFARE),
        organiser_units=(HEALTH,),
        partners="RVTS Øst, KORUS Øst og Bufetat, sammen med en nabokommune",
        organisers=("marte.lie",),
        areas=(EARLY_AREA,),
        place="Kulturhuset",
    ),
    "tibir": DemoActivity(
        form=ActivityForm.TRAINING,
        title="TIBIR – opplæring av rådgivere",
        content=(
            "Ni dagers opplæring av rådgivere i TIBIR (tidlig innsats for barn i risiko), "
            "etter en egen plan for implementeringen."
        ),
        themes=(BEHAVIOUR,),
        target_description=(
            "Ansatte i skole, barnehage og tjenestene for barn, unge og familier som skal bli "
            "TIBIR-rådgivere"
        ),
        target_kinds=(K.KINDERGARTEN, K.SCHOOL, K.CHILD_WELFARE),
        organiser_units=(FAMILY_TEAM,),
        partners="NUBU",
        organisers=("ola.sand",),
        areas=(EARLY_AREA,),
        components=("Foreldremedvirkning",),
        place="Kulturhuset",
    ),
    "statped": DemoActivity(
        form=ActivityForm.COURSE,
        title="Refleksjonsverktøy for inkluderende praksis",
        content="Kurs i Statpeds refleksjonsverktøy for inkluderende praksis.",
        themes=(INCLUSIVE,),
        target_description="PPT",
        target_kinds=(K.PPT,),
        organiser_units=(PPT,),
        partners="Statped",
        areas=(INCLUSIVE_AREA,),
    ),
    "pedledere": DemoActivity(
        form=ActivityForm.GATHERING,
        title="Fagsamling for pedagogiske ledere i barnehagene",
        content=(
            "En felles forståelse av pedagogisk innsats og av hva som gjør læringsmiljøet i "
            "barnehagen inkluderende."
        ),
        themes=(INCLUSIVE,),
        target_description="Pedagogiske ledere og spesialpedagoger i barnehagene",
        target_kinds=(K.KINDERGARTEN,),
        organiser_units=("Solbakken barnehage",),
        organisers=("hanne.moe",),
        areas=(INCLUSIVE_AREA,),
        components=("Trygghet, vennskap og mestring",),
        place="Nordby oppvekstsenter og Kulturhuset",
    ),
    "ppt-veiledning": DemoActivity(
        form=ActivityForm.GUIDANCE,
        title="Veiledning av PPT i endringsarbeid",
        content="Veiledning i endringsprosesser og i å kartlegge kompetansen i tjenesten.",
        themes=(LEADERSHIP,),
        target_description="PPT",
        target_kinds=(K.PPT,),
        organiser_units=(PPT,),
        partners=USN,
        organisers=("eva.lund",),
        areas=(LEARNING_ORG,),
        place="PPT",
    ),
    "fravaer": DemoActivity(
        form=ActivityForm.SUBJECT_DAY,
        title="Fagdag om bekymringsfullt skolefravær",
        content=(
            "Hvordan skolen og PPT oppdager, forstår og følger opp elever med fravær som gir "
            "grunn til bekymring."
        ),
        themes=(ABSENCE, MENTAL_HEALTH),
        target_description="Skolene og PPT",
        target_kinds=(K.SCHOOL, K.PPT),
        organiser_units=(PPT,),
        partners=USN,
        areas=(EARLY_AREA,),
        place="Skolene og PPT",
    ),
    "analysemodellen": DemoActivity(
        form=ActivityForm.COURSE,
        title="Kurs i analysemodellen",
        content=(
            "Å bruke analysemodellen til å forstå og endre det som holder vanskene ved like "
            "rundt barn og elever som strever."
        ),
        themes=(INCLUSIVE, BEHAVIOUR),
        target_description="PPT",
        target_kinds=(K.PPT,),
        organiser_units=(PPT,),
        partners=USN,
        areas=(INCLUSIVE_AREA,),
        place="PPT",
    ),
    "autisme": DemoActivity(
        form=ActivityForm.COURSE,
        title="Autisme – kurs for assistenter og miljøarbeidere",
        content=(
            "Tre økter om autisme: hva diagnosen kan bety i hverdagen, struktur og "
            "forutsigbarhet, og kommunikasjon."
        ),
        themes=(AUTISM,),
        target_description="Assistenter og miljøarbeidere i skolene, SFO og barnehagene",
        target_kinds=(K.KINDERGARTEN, K.SCHOOL, K.SFO),
        organiser_units=(PPT,),
        partners=USN,
        areas=(INCLUSIVE_AREA,),
        place="Kulturhuset",
    ),
    "bti-nyansatte": DemoActivity(
        form=ActivityForm.TRAINING,
        title="BTI for nyansatte",
        content=(
            "Hvorfor kommunen arbeider etter BTI-modellen, hvordan vi systematisk oppdager "
            "og følger opp barn og unge vi er bekymret for, de digitale veilederne og "
            "verktøyene, og hva vi venter av hver enkelt."
        ),
        themes=(BTI,),
        target_description="Nyansatte i alle enheter",
        organiser_units=(STAFF_OFFICE,),
        organisers=("bti-koordinator",),
        areas=(EARLY_AREA,),
        components=("Fra oppmerksomhet til handling",),
        place="Kulturhuset",
    ),
    # Not in the Ås table, none of whose lines belongs to the demo plan's fourth area:
    # Solvik's own activities for helsefremmende møteplasser, held last school year, so
    # every area of the status report has competence work to show.
    "helsefremmende": DemoActivity(
        form=ActivityForm.SUBJECT_DAY,
        title="Fagdag om fysisk aktivitet, måltider og hvile i barnehagen og skolen",
        content=(
            "Hvordan hverdagen i barnehagen, skolen og SFO kan gi mer bevegelse, gode måltider "
            "og ro, og hva de ansatte gjør for barn som sjelden er med i aktiv lek."
        ),
        themes=(MENTAL_HEALTH, INCLUSIVE),
        target_description="Ansatte i barnehagene, skolene og SFO",
        target_kinds=(K.KINDERGARTEN, K.SCHOOL, K.SFO),
        organiser_units=(HEALTH,),
        partners="fylkeskommunens folkehelsekoordinator",
        organisers=("marte.lie",),
        areas=(HEALTHY_AREA,),
        components=("Barnehagen og skolen som helsefremmende arena",),
        place="Kulturhuset",
    ),
    "digital-hverdag": DemoActivity(
        form=ActivityForm.COURSE,
        title="Trygg digital hverdag: skjerm, spill og sosiale medier",
        content=(
            "To kvelder om det de unge gjør på nett: spill, sosiale medier og deling av "
            "bilder, og hvordan de voksne kan snakke med dem om det uten å moralisere."
        ),
        themes=(MENTAL_HEALTH, RELATIONS),
        target_description="Ansatte i skolene, SFO, ungdomsklubben og utekontakten",
        target_kinds=(K.SCHOOL, K.SFO, K.LEISURE),
        organiser_units=(LEISURE_CLUB, HEALTH),
        partners="politiets forebyggende enhet",
        organisers=("lise.ruud",),
        areas=(HEALTHY_AREA,),
        components=("Digitale møteplasser for alle",),
        place="Ungdomsklubben Verkstedet",
    ),
    "fritid-for-alle": DemoActivity(
        form=ActivityForm.NETWORK,
        title="Nettverk for fritid for alle",
        content=(
            "Fritidskontakten, kulturskolen og skolene finner sammen barn som ikke deltar i "
            "noe på fritiden, og deler erfaringer med utlån av utstyr og friplasser."
        ),
        themes=(INCLUSIVE,),
        target_description=(
            "Kulturskolen, fritidstilbudene og kontaktlærerne på mellom- og ungdomstrinnet"
        ),
        target_kinds=(K.CULTURE, K.LEISURE, K.SCHOOL),
        organiser_units=("Fritid for alle – fritidskontakt",),
        organisers=("lise.ruud",),
        areas=(HEALTHY_AREA,),
        components=("Tilgjengelige kultur-, idretts- og fritidstilbud",),
        place="Biblioteket og kulturhuset",
    ),
}

# The Ås table's dates for 2022/23: key → (scheme, budget, spent, sessions
# [(date, start, end, place)]). Lines the table gives no date for have no session.
D = datetime.date
FACTS: list[tuple[str, str | None, int, int, list[tuple[D, str, str, str]]]] = [
    (
        "plandag",
        KOMPETANSELOFTET,
        120_000,
        118_500,
        [
            (D(2022, 8, 12), "08:30", "15:30", "Kulturhuset – barnehagene"),
            (D(2022, 8, 15), "08:30", "15:30", "Kulturhuset – skolene"),
        ],
    ),
    (
        "ressursenheter",
        None,
        0,
        0,
        [
            (D(2022, 10, 4), "13:00", "15:30", "Lyngheia barnehage"),
            (D(2023, 1, 31), "13:00", "15:30", "Tunet naturbarnehage"),
            (D(2023, 5, 9), "13:00", "15:30", "Nordby oppvekstsenter"),
        ],
    ),
    (
        "ressurspersoner",
        KOMPETANSELOFTET,
        160_000,
        152_000,
        [
            (D(2022, 8, 30), "12:00", "15:30", ""),
            (D(2022, 11, 8), "12:00", "15:30", ""),
            (D(2023, 2, 28), "12:00", "15:30", ""),
            (D(2023, 4, 18), "12:00", "15:30", ""),
        ],
    ),
    (
        "bti-nettverk",
        KOMPETANSELOFTET,
        45_000,
        41_200,
        [
            (D(2022, 9, 14), "13:00", "15:30", ""),
            (D(2023, 1, 16), "12:00", "14:30", ""),
            (D(2023, 5, 23), "13:00", "15:30", ""),
        ],
    ),
    (
        "ledernettverk",
        KOMPETANSELOFTET,
        210_000,
        226_000,
        [
            (D(2022, 9, 20), "12:00", "16:00", ""),
            (D(2022, 9, 21), "09:00", "15:30", ""),
            (D(2022, 11, 25), "08:30", "16:00", ""),
            (D(2023, 2, 16), "08:30", "16:00", ""),
            (D(2023, 4, 20), "08:00", "16:00", "Samling med overnatting"),
            (D(2023, 4, 21), "09:00", "12:00", "Samling med overnatting"),
        ],
    ),
    ("vold", BUFDIR, 70_000, 66_300, [(D(2022, 8, 29), "09:00", "15:00", "")]),
    (
        "tibir",
        None,
        0,
        0,
        [
            (D(2023, month, day), "09:00", "15:00", "")
            for month, day in (
                (2, 3),
                (2, 15),
                (2, 28),
                (3, 13),
                (3, 14),
                (3, 24),
                (3, 27),
                (4, 12),
                (4, 17),
            )
        ],
    ),
    ("statped", None, 0, 0, []),
    (
        "pedledere",
        None,
        0,
        0,
        [
            (D(2022, 11, 1), "12:00", "15:30", "Nordby oppvekstsenter"),
            (D(2023, 1, 24), "12:00", "15:30", "Kulturhuset"),
            (D(2023, 4, 25), "12:00", "15:30", "Kulturhuset"),
        ],
    ),
    ("ppt-veiledning", KOMPETANSELOFTET, 40_000, 40_000, [(D(2022, 11, 15), "09:00", "12:00", "")]),
    ("fravaer", KOMPETANSELOFTET, 35_000, 0, []),
    ("analysemodellen", KOMPETANSELOFTET, 30_000, 28_000, []),
    (
        "autisme",
        KOMPETANSELOFTET,
        36_000,
        34_500,
        [
            (D(2023, 1, 4), "13:30", "15:30", ""),
            (D(2023, 2, 3), "13:30", "15:30", ""),
            (D(2023, 3, 3), "13:30", "15:30", ""),
        ],
    ),
    (
        "bti-nyansatte",
        KOMPETANSELOFTET,
        20_000,
        17_800,
        [
            (D(2022, 10, 13), "12:00", "15:30", ""),
            (D(2023, 4, 18), "12:00", "15:30", ""),
        ],
    ),
]

# A school year's plan, derived from the same table. Sessions: (month, day, start, end,
# when): "fixed" keeps the date; "past" moves it to before today, "future" to after today,
# so the demo always has sessions to sign up for and sessions with attendance.
PAST, FUTURE, FIXED = "past", "future", "fixed"


@dataclass(frozen=True)
class YearActivity:
    key: str
    scheme: str | None
    budget: int
    spent: int
    sessions: tuple[tuple[int, int, str, str, str], ...]
    capacity: int | None = None
    organisers: tuple[str, ...] | None = None  # None: those of the table line
    # session index → how many of the eligible people sign up (default: up to capacity / 8)
    sign_ups: dict[int, int] = field(default_factory=dict)
    # People left off the coming sessions, so they can sign up themselves in the demo.
    keep_free: tuple[str, ...] = ()


# This school year.
CURRENT: list[YearActivity] = [
    YearActivity(
        "plandag",
        KOMPETANSELOFTET,
        125_000,
        121_000,
        ((8, 14, "08:30", "15:30", FIXED), (8, 17, "08:30", "15:30", FIXED)),
    ),
    YearActivity(
        "ressurspersoner",
        KOMPETANSELOFTET,
        160_000,
        70_000,
        (
            (9, 1, "12:00", "15:30", FIXED),
            (11, 10, "12:00", "15:30", FIXED),
            (2, 23, "12:00", "15:30", FIXED),
            (4, 20, "12:00", "15:30", FIXED),
        ),
        capacity=40,
    ),
    YearActivity(
        "bti-nettverk",
        KOMPETANSELOFTET,
        45_000,
        15_000,
        (
            (9, 16, "13:00", "15:30", PAST),
            (1, 19, "12:00", "14:30", FIXED),
            (5, 26, "13:00", "15:30", FUTURE),
        ),
        capacity=30,
    ),
    YearActivity(
        "ledernettverk",
        KOMPETANSELOFTET,
        220_000,
        95_000,
        (
            (9, 22, "12:00", "16:00", FIXED),
            (11, 27, "08:30", "16:00", FIXED),
            (2, 18, "08:30", "16:00", FIXED),
            (4, 22, "08:00", "16:00", FIXED),
            (4, 23, "09:00", "12:00", FIXED),
        ),
    ),
    YearActivity(
        "pedledere",
        REKOMP,
        60_000,
        20_000,
        (
            (11, 3, "12:00", "15:30", FIXED),
            (1, 26, "12:00", "15:30", FIXED),
            (4, 27, "12:00", "15:30", FIXED),
        ),
        capacity=25,
    ),
    YearActivity(
        "fravaer",
        DEKOMP,
        40_000,
        38_000,
        ((10, 20, "09:00", "15:00", PAST),),
        capacity=60,
    ),
    YearActivity(
        "vold",
        BUFDIR,
        60_000,
        68_000,
        ((8, 28, "09:00", "15:00", FIXED),),
    ),
    YearActivity(
        "statped",
        OWN_BUDGET,
        15_000,
        0,
        ((3, 5, "09:00", "15:00", FIXED),),
        capacity=12,
    ),
    YearActivity(
        "ressursenheter",
        OWN_BUDGET,
        10_000,
        2_000,
        (
            (10, 6, "13:00", "15:30", FIXED),
            (2, 2, "13:00", "15:30", FIXED),
            (5, 11, "13:00", "15:30", FIXED),
        ),
    ),
    # Organised by a staff member: she marks attendance for her own course. The first
    # coming session is full with a waiting list, the second has one place left.
    YearActivity(
        "autisme",
        KOMPETANSELOFTET,
        38_000,
        9_000,
        (
            (11, 4, "13:30", "15:30", PAST),
            (1, 13, "13:30", "15:30", FUTURE),
            (2, 10, "13:30", "15:30", FUTURE),
            (3, 10, "13:30", "15:30", FUTURE),
        ),
        capacity=8,
        organisers=("maria.olsen",),
        sign_ups={0: 8, 1: 10, 2: 7, 3: 3},
        keep_free=("ansatt",),
    ),
    YearActivity(
        "bti-nyansatte",
        KOMPETANSELOFTET,
        20_000,
        8_000,
        ((10, 15, "12:00", "15:30", PAST), (4, 21, "12:00", "15:30", FUTURE)),
        capacity=40,
    ),
]

# Last school year, the one the demo's status report covers: the same table a year
# earlier, and over. Every date lies before today (the school year ended in July), so
# every session has its attendance and feedback. Last year's grants in ``SCHEMES`` cover
# the budgets; the leader network spent a little more than its budget.
LAST: list[YearActivity] = [
    YearActivity(
        "plandag",
        KOMPETANSELOFTET,
        120_000,
        119_200,
        ((8, 13, "08:30", "15:30", FIXED), (8, 15, "08:30", "15:30", FIXED)),
    ),
    YearActivity(
        "ressurspersoner",
        KOMPETANSELOFTET,
        160_000,
        156_500,
        (
            (9, 2, "12:00", "15:30", FIXED),
            (11, 11, "12:00", "15:30", FIXED),
            (2, 24, "12:00", "15:30", FIXED),
            (4, 21, "12:00", "15:30", FIXED),
        ),
        capacity=40,
    ),
    YearActivity(
        "bti-nettverk",
        KOMPETANSELOFTET,
        45_000,
        43_800,
        (
            (9, 17, "13:00", "15:30", FIXED),
            (1, 20, "12:00", "14:30", FIXED),
            (5, 27, "13:00", "15:30", FIXED),
        ),
        capacity=30,
    ),
    YearActivity(
        "ledernettverk",
        KOMPETANSELOFTET,
        215_000,
        224_600,
        (
            (9, 23, "12:00", "16:00", FIXED),
            (11, 28, "08:30", "16:00", FIXED),
            (2, 19, "08:30", "16:00", FIXED),
            (4, 23, "08:00", "16:00", FIXED),
            (4, 24, "09:00", "12:00", FIXED),
        ),
    ),
    YearActivity(
        "pedledere",
        REKOMP,
        60_000,
        57_400,
        (
            (11, 4, "12:00", "15:30", FIXED),
            (1, 27, "12:00", "15:30", FIXED),
            (4, 28, "12:00", "15:30", FIXED),
        ),
        capacity=25,
    ),
    YearActivity(
        "fravaer",
        DEKOMP,
        40_000,
        36_900,
        ((10, 21, "09:00", "15:00", FIXED),),
        capacity=60,
    ),
    YearActivity("vold", BUFDIR, 60_000, 58_100, ((8, 27, "09:00", "15:00", FIXED),)),
    YearActivity(
        "statped", OWN_BUDGET, 15_000, 14_200, ((3, 4, "09:00", "15:00", FIXED),), capacity=12
    ),
    YearActivity(
        "ressursenheter",
        OWN_BUDGET,
        10_000,
        8_600,
        (
            (10, 7, "13:00", "15:30", FIXED),
            (2, 3, "13:00", "15:30", FIXED),
            (5, 12, "13:00", "15:30", FIXED),
        ),
    ),
    YearActivity(
        "ppt-veiledning",
        KOMPETANSELOFTET,
        40_000,
        40_000,
        ((11, 18, "09:00", "12:00", FIXED), (3, 10, "09:00", "12:00", FIXED)),
    ),
    YearActivity(
        "analysemodellen",
        KOMPETANSELOFTET,
        30_000,
        28_700,
        ((1, 14, "09:00", "15:00", FIXED), (3, 11, "09:00", "15:00", FIXED)),
    ),
    YearActivity(
        "autisme",
        KOMPETANSELOFTET,
        36_000,
        35_100,
        (
            (1, 6, "13:30", "15:30", FIXED),
            (2, 4, "13:30", "15:30", FIXED),
            (3, 4, "13:30", "15:30", FIXED),
        ),
        capacity=8,
        organisers=("maria.olsen",),
    ),
    YearActivity(
        "bti-nyansatte",
        KOMPETANSELOFTET,
        20_000,
        18_300,
        ((10, 14, "12:00", "15:30", FIXED), (4, 22, "12:00", "15:30", FIXED)),
        capacity=40,
    ),
    YearActivity("helsefremmende", DEKOMP, 35_000, 33_400, ((10, 28, "09:00", "15:00", FIXED),)),
    YearActivity(
        "digital-hverdag",
        OWN_BUDGET,
        18_000,
        16_500,
        ((1, 21, "18:00", "20:30", FIXED), (2, 11, "18:00", "20:30", FIXED)),
        capacity=30,
    ),
    YearActivity(
        "fritid-for-alle",
        OWN_BUDGET,
        12_000,
        9_800,
        (
            (9, 30, "14:00", "16:00", FIXED),
            (1, 28, "14:00", "16:00", FIXED),
            (5, 19, "14:00", "16:00", FIXED),
        ),
    ),
]

# (kind, theme, share, respondents) for the two KOSIP rounds.
SURVEY_FACTS = [
    (K.KINDERGARTEN, INCLUSIVE, "58.3", 96),
    (K.KINDERGARTEN, MENTAL_HEALTH, "44.8", 96),
    (K.KINDERGARTEN, LEARNING, "21.9", 96),
    (K.KINDERGARTEN, BEHAVIOUR, "62.5", 96),
    (K.SCHOOL, INCLUSIVE, "51.0", 151),
    (K.SCHOOL, MENTAL_HEALTH, "63.6", 151),
    (K.SCHOOL, LEARNING, "57.0", 151),
    (K.SCHOOL, BEHAVIOUR, "49.7", 151),
    (K.PPT, INCLUSIVE, "40.0", 10),
    (K.PPT, LEARNING, "70.0", 10),
]
SURVEY_CURRENT = [
    (K.KINDERGARTEN, INCLUSIVE, "54.1", 109),
    (K.KINDERGARTEN, MENTAL_HEALTH, "47.7", 109),
    (K.KINDERGARTEN, LEARNING, "24.8", 109),
    (K.KINDERGARTEN, BEHAVIOUR, "59.6", 109),
    (K.SCHOOL, INCLUSIVE, "44.2", 163),
    (K.SCHOOL, MENTAL_HEALTH, "66.3", 163),
    (K.SCHOOL, LEARNING, "52.8", 163),
    (K.SCHOOL, BEHAVIOUR, "47.2", 163),
    (K.SFO, INCLUSIVE, "41.2", 34),
    (K.SFO, MENTAL_HEALTH, "29.4", 34),
    (K.SFO, LEARNING, "11.8", 34),
    (K.SFO, BEHAVIOUR, "55.9", 34),
    (K.PPT, INCLUSIVE, "36.4", 11),
    (K.PPT, MENTAL_HEALTH, "45.5", 11),
    (K.PPT, LEARNING, "72.7", 11),
    (K.PPT, BEHAVIOUR, "54.5", 11),
]

COMMENTS = (
    "Nyttig og praktisk – dette tar jeg med meg tilbake til avdelingen.",
    "Godt med tid til å drøfte egne saker i gruppe.",
    "Litt for mye teori, savnet eksempler fra hverdagen.",
    "",
    "Inspirerende innlegg, og god blanding av fag og erfaringsdeling.",
    "",
)
SCORES = (5, 4, 4, 3, 5, 4, 2, 5)


def delete_competence_content(municipality: Municipality) -> None:
    """Everything the demo makes in the competence app, in an order the PROTECT foreign
    keys allow. Calendar subscriptions (feed tokens) belong to the users and are kept."""
    NeedSurvey.objects.filter(municipality=municipality).delete()
    Activity.objects.filter(municipality=municipality).delete()
    FundingScheme.objects.filter(municipality=municipality).delete()
    Theme.objects.filter(municipality=municipality).delete()
    CalendarEvent.objects.filter(municipality=municipality).delete()


def seed_competence(
    municipality: Municipality,
    plan: QualityPlan,
    units: dict[str, Unit],
    users: dict,
    today: datetime.date,
) -> dict[str, int]:
    """Create the demo competence plan; returns what was made, by kind."""
    year = SchoolYear.current(today).start_year
    schemes = _seed_schemes(municipality, year)
    themes = {name: Theme.objects.create(municipality=municipality, name=name) for name in THEMES}
    context = _Context(
        municipality=municipality,
        plan=plan,
        units=units,
        users=users,
        today=today,
        schemes=schemes,
        themes=themes,
        people=_people(municipality, users),
    )
    for key, scheme, budget, spent, sessions in FACTS:
        activity = _activity(context, key, FACT_YEAR, scheme, budget, spent)
        for index, (held_on, start, end, place) in enumerate(sessions):
            _session(context, activity, index, _at(held_on, start), _at(held_on, end), place)
    # Last school year, unless that is the table's own year (its facts are that year).
    if year - 1 != FACT_YEAR:
        _seed_year(context, year - 1, LAST)
    _seed_year(context, year, CURRENT)
    _seed_surveys(municipality, themes, year, users)
    _seed_events(municipality, year, users)
    return {
        "competence_schemes": len(schemes),
        "competence_themes": Theme.objects.filter(municipality=municipality).count(),
        "competence_activities": Activity.objects.filter(municipality=municipality).count(),
        "competence_sessions": Session.objects.filter(activity__municipality=municipality).count(),
        "competence_registrations": Registration.objects.filter(
            session__activity__municipality=municipality
        ).count(),
        "competence_feedback": Feedback.objects.filter(
            registration__session__activity__municipality=municipality
        ).count(),
        "competence_surveys": NeedSurvey.objects.filter(municipality=municipality).count(),
        "competence_needs": CompetenceNeed.objects.filter(
            survey__municipality=municipality
        ).count(),
        "competence_events": CalendarEvent.objects.filter(municipality=municipality).count(),
    }


# --- helpers ------------------------------------------------------------------------------


@dataclass
class _Person:
    user: Any
    kinds: frozenset[str]
    unit_names: frozenset[str]
    roles: frozenset[str]


@dataclass
class _Context:
    municipality: Municipality
    plan: QualityPlan
    units: dict[str, Unit]
    users: dict
    today: datetime.date
    schemes: dict[str, FundingScheme]
    themes: dict[str, Theme]
    people: list[_Person]


# The people who sign up: staff and unit leaders, and the sector leader for what is meant
# for her; elected officials, the data admin and the BTI coordinator only organise or read.
PARTICIPANT_ROLES = {Role.STAFF, Role.UNIT_LEADER, Role.SECTOR_LEADER}


def _people(municipality: Municipality, users: dict) -> list[_Person]:
    by_user: dict[int, dict[str, set[str]]] = {}
    rows = Membership.objects.filter(
        municipality=municipality, user__in=users.values(), role__in=PARTICIPANT_ROLES
    ).values_list("user_id", "unit__kind", "unit__name", "role")
    for user_id, kind, unit_name, role in rows:
        found = by_user.setdefault(user_id, {"kinds": set(), "units": set(), "roles": set()})
        if kind:
            found["kinds"].add(kind)
            found["units"].add(unit_name)
        found["roles"].add(role)
    people = []
    # The staff user the README names comes first, so she is in every group she belongs to.
    for username in sorted(users, key=lambda name: (name != "ansatt", name)):
        user = users[username]
        if user.pk in by_user:
            found = by_user[user.pk]
            people.append(
                _Person(
                    user,
                    frozenset(found["kinds"]),
                    frozenset(found["units"]),
                    frozenset(found["roles"]),
                )
            )
    return people


def _seed_schemes(municipality: Municipality, year: int) -> dict[str, FundingScheme]:
    schemes = {}
    for name, (description, fact_grant, last_grant, this_grant) in SCHEMES.items():
        scheme = FundingScheme.objects.create(
            municipality=municipality, name=name, description=description
        )
        grants = {FACT_YEAR: fact_grant, year - 1: last_grant, year: this_grant}
        for school_year, amount in sorted(grants.items()):
            FundingGrant.objects.create(scheme=scheme, school_year=school_year, amount=amount)
        schemes[name] = scheme
    return schemes


def _seed_year(context: _Context, year: int, plan: list[YearActivity]) -> None:
    today = context.today
    for line in plan:
        activity = _activity(
            context, line.key, year, line.scheme, line.budget, line.spent, line.organisers
        )
        future_index = 0
        for index, (month, day, start, end, when) in enumerate(line.sessions):
            date = _school_year_date(year, month, day)
            if when == PAST:
                date = min(date, today - datetime.timedelta(days=2 + 7 * index))
            elif when == FUTURE:
                future_index += 1
                date = max(date, today + datetime.timedelta(days=7 * future_index))
            _session(
                context,
                activity,
                index,
                _at(date, start),
                _at(date, end),
                "",
                capacity=line.capacity,
                sign_ups=line.sign_ups.get(index),
                keep_free=line.keep_free,
            )


def _at(day: datetime.date, clock: str) -> datetime.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour, minute)),
        timezone.get_default_timezone(),
    )


def _school_year_date(year: int, month: int, day: int) -> datetime.date:
    return SchoolYear(year).first_of(month).replace(day=day)


def _activity(
    context: _Context,
    key: str,
    school_year: int,
    scheme: str | None,
    budget: int,
    spent: int,
    organisers: tuple[str, ...] | None = None,
) -> Activity:
    demo = ACTIVITIES[key]
    activity = Activity(
        municipality=context.municipality,
        school_year=school_year,
        form=demo.form,
        title=demo.title,
        content=demo.content,
        target_kinds=list(demo.target_kinds),
        target_roles=list(demo.target_roles),
        target_description=demo.target_description,
        partners=demo.partners,
        place=demo.place,
        funding_scheme=context.schemes[scheme] if scheme else None,
        budget=Decimal(budget),
        spent=Decimal(spent),
    )
    activity.full_clean()
    activity.save()
    activity.themes.set([context.themes[name] for name in demo.themes])
    activity.target_units.set([context.units[name] for name in demo.target_units])
    activity.organiser_units.set([context.units[name] for name in demo.organiser_units])
    activity.organisers.set(
        [context.users[name] for name in (demo.organisers if organisers is None else organisers)]
    )
    activity.areas.set(DevelopmentArea.objects.filter(plan=context.plan, name__in=demo.areas))
    activity.components.set(
        CoreComponent.objects.filter(area__plan=context.plan, name__in=demo.components)
    )
    return activity


def _eligible(context: _Context, activity: Activity) -> list:
    """The demo people in the activity's target group, the organisers left out."""
    demo_kinds = set(activity.target_kinds)
    demo_roles = set(activity.target_roles)
    demo_units = {unit.name for unit in activity.target_units.all()}
    organisers = {user.pk for user in activity.organisers.all()}
    everyone = not (demo_kinds or demo_roles or demo_units)
    eligible = []
    for person in context.people:
        if person.user.pk in organisers:
            continue
        if Role.SECTOR_LEADER in person.roles and Role.SECTOR_LEADER not in demo_roles:
            continue
        if (
            everyone
            or person.kinds & demo_kinds
            or person.unit_names & demo_units
            or person.roles & demo_roles
        ):
            eligible.append(person.user)
    return eligible


def _session(
    context: _Context,
    activity: Activity,
    index: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    *,
    capacity: int | None = None,
    sign_ups: int | None = None,
    keep_free: tuple[str, ...] = (),
) -> Session:
    session = Session.objects.create(
        activity=activity, starts_at=starts_at, ends_at=ends_at, place=place, capacity=capacity
    )
    is_past = starts_at.date() < context.today
    eligible = _eligible(context, activity)
    if not is_past:
        eligible = [user for user in eligible if user.username not in keep_free]
    if not eligible:
        return session
    wanted = sign_ups if sign_ups is not None else min(len(eligible), capacity or 8, 8)
    # Rotate through the group so each session has a somewhat different crowd; the first
    # person (the README's staff user, where eligible) stays in.
    rest = eligible[1:]
    shift = (index * 3) % len(rest) if rest else 0
    crowd = [eligible[0], *rest[shift:], *rest[:shift]][:wanted]
    for position, user in enumerate(crowd):
        full = capacity is not None and position >= capacity
        registration = Registration.objects.create(
            session=session,
            user=user,
            status=RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED,
            registered_at=min(
                starts_at - datetime.timedelta(days=21, minutes=-position),
                timezone.now() - datetime.timedelta(minutes=len(crowd) - position),
            ),
        )
        if not is_past or full:
            continue
        # About one in six did not turn up; most who came left a rating.
        attended = (position + index) % 6 != 5
        registration.attended = attended
        registration.save(update_fields=["attended"])
        if attended and (position + index) % 4 != 3:
            Feedback.objects.create(
                registration=registration,
                score=SCORES[(position + 2 * index) % len(SCORES)],
                comment=COMMENTS[(position + index) % len(COMMENTS)],
            )
    return session


def _seed_surveys(municipality: Municipality, themes: dict[str, Theme], year: int, users) -> None:
    rounds = [(f"KOSIP november {year - 1}", datetime.date(year - 1, 11, 18), year, SURVEY_CURRENT)]
    if year - 1 != 2021:
        rounds.append(("KOSIP november 2021", datetime.date(2021, 11, 15), FACT_YEAR, SURVEY_FACTS))
    for name, conducted_on, school_year, needs in rounds:
        survey = NeedSurvey.objects.create(
            municipality=municipality,
            name=name,
            conducted_on=conducted_on,
            school_year=school_year,
            created_by=users["dataansvarlig"],
        )
        CompetenceNeed.objects.bulk_create(
            CompetenceNeed(
                survey=survey,
                unit_kind=kind,
                theme=themes[theme],
                share=Decimal(share),
                respondents=respondents,
            )
            for kind, theme, share, respondents in needs
        )


def _seed_events(municipality: Municipality, year: int, users) -> None:
    E, leaders, everyone = EventKind, EventAudience.LEADERS, EventAudience.EVERYONE
    events = [
        (
            E.REPORT,
            "Årsrapport om kompetanseløftet til Statsforvalteren",
            "Rapport om fjorårets tiltak, deltakelse og evaluering.",
            (9, 30),
            None,
            leaders,
        ),
        (
            E.PARENT_MEETING,
            "Foreldremøter i skolene: trygt og godt skolemiljø",
            "Tema på høstens foreldremøter: hvordan hjem og skole sammen hindrer utestenging "
            "og mobbing.",
            (9, 7),
            (9, 18),
            everyone,
        ),
        (
            E.PARENT_MEETING,
            "Foreldremøter i barnehagene: språk, lek og vennskap",
            "",
            (10, 5),
            (10, 16),
            everyone,
        ),
        (
            E.UNIT_PLAN_DUE,
            "Frist: utviklingsplanene sendes til godkjenning",
            "Hver enhet sender sin utviklingsplan for året til sektorleder.",
            (10, 15),
            None,
            leaders,
        ),
        (
            E.BTI_NETWORK,
            "BTI-nettverksmøte for koordinatorene",
            "Status i BTI-arbeidet, erfaringer med stafettloggen og gode overganger.",
            (10, 27),
            None,
            everyone,
        ),
        (
            E.OTHER,
            "Kompetansekartlegging (KOSIP)",
            "Ledere og ansatte svarer på kartleggingen av kompetansebehov for neste år.",
            (11, 9),
            (11, 20),
            everyone,
        ),
        (
            E.PARENT_MEETING,
            "Foreldremøter: skjerm, søvn og sosiale medier",
            "Felles tema for foreldremøtene på mellomtrinnet og ungdomstrinnet.",
            (1, 19),
            (1, 30),
            everyone,
        ),
        (
            E.BTI_NETWORK,
            "BTI-nettverksmøte for koordinatorene",
            "Samtykke og informasjonsdeling; gjennomgang av handlingsveilederen.",
            (2, 9),
            None,
            everyone,
        ),
        (
            E.REPORT,
            "Tilstandsrapporten for oppvekst er klar",
            "Hvor står vi, hvor vil vi, og hvordan kommer vi dit.",
            (3, 20),
            None,
            leaders,
        ),
        (
            E.COUNCIL,
            "Tilstandsrapporten behandles i kommunestyret",
            "Sak om tilstanden i oppvekstsektoren og prioriteringene for neste år.",
            (4, 22),
            None,
            everyone,
        ),
        (
            E.BTI_NETWORK,
            "BTI-nettverksmøte for koordinatorene",
            "Evaluering av året og plan for overgangene til høsten.",
            (5, 11),
            None,
            everyone,
        ),
        (
            E.EVALUATION_DUE,
            "Frist: evaluering av utviklingsplanene og kompetansetiltakene",
            "Enhetene evaluerer årets utviklingsplan; arrangørene evaluerer sine tiltak.",
            (6, 15),
            None,
            leaders,
        ),
    ]
    for kind, title, description, (month, day), until, audience in events:
        CalendarEvent.objects.create(
            municipality=municipality,
            kind=kind,
            title=title,
            description=description,
            starts_on=_school_year_date(year, month, day),
            ends_on=_school_year_date(year, *until) if until else None,
            audience=audience,
            created_by=users["sektorleder"],
        )
