"""The demo municipality: fictional, shaped after the services in the source documents
(../shared/seeds): kindergartens, schools with their SFO, health station and school health
service, child welfare, PPT, culture school, youth club and the sector's staff office.

Besides the organisation it holds a quality plan shaped after Jevnaker's (an adopted
revision and a draft revision made from it), quality tools, two school years of unit plans
written through the unit-plan services (so their history is real), self-assessments,
participation input and user journeys. Every date is relative to ``today`` and nothing is
random, so two runs on the same day give the same data."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from plans import services
from plans.models import (
    Anchoring,
    AnchoringKind,
    AssessmentAnswer,
    AssessmentStatus,
    Attainment,
    CoreComponent,
    DevelopmentArea,
    InputGroup,
    InputSetting,
    JourneyStep,
    Measure,
    MeasureStatus,
    Membership,
    Municipality,
    ParticipationInput,
    ParticipationProcess,
    Phase,
    PlanValue,
    PracticeCharacteristic,
    QualityDescription,
    QualityPlan,
    QualityTool,
    Role,
    SelfAssessment,
    ServiceField,
    StepAssessment,
    TargetGroup,
    ToolStatement,
    Unit,
    UnitGoal,
    UnitKind,
    UnitPlan,
    UnitPlanStatus,
    UserJourney,
)
from plans.schoolyear import SchoolYear
from plans.services.history import field_changes, record_change, snapshot
from plans.services.unit_plans import (
    unit_plan_approve,
    unit_plan_create,
    unit_plan_evaluate,
    unit_plan_part_save,
    unit_plan_return,
    unit_plan_submit,
    unit_plan_update,
)

DEMO_MUNICIPALITY = {"name": "Solvik kommune", "number": "9901", "historic_numbers": ["9801"]}
DEMO_PASSWORD = "Solvik-demo-2026"

K = UnitKind
# (name, kind, parent name)
DEMO_UNITS: list[tuple[str, str, str | None]] = [
    ("Oppvekst og kultur – stab", K.ADMINISTRATION, None),
    ("Ressursteam barnehage og skole", K.ADMINISTRATION, "Oppvekst og kultur – stab"),
    ("Solbakken barnehage", K.KINDERGARTEN, None),
    ("Elvebredden barnehage", K.KINDERGARTEN, None),
    ("Lyngheia barnehage", K.KINDERGARTEN, None),
    ("Kløverenga barnehage", K.KINDERGARTEN, None),
    ("Tunet naturbarnehage", K.KINDERGARTEN, None),
    ("Fjellstua familiebarnehage", K.KINDERGARTEN, None),
    ("Solvik barneskole", K.SCHOOL, None),
    ("Bakkeli skole", K.SCHOOL, None),
    ("Nordby oppvekstsenter – skole", K.SCHOOL, None),
    ("Solvik ungdomsskole", K.SCHOOL, None),
    ("Solvik SFO", K.SFO, "Solvik barneskole"),
    ("Bakkeli SFO", K.SFO, "Bakkeli skole"),
    ("Nordby SFO", K.SFO, "Nordby oppvekstsenter – skole"),
    ("Helsestasjon og skolehelsetjeneste", K.HEALTH_STATION, None),
    ("Helsestasjon for ungdom", K.HEALTH_STATION, "Helsestasjon og skolehelsetjeneste"),
    ("Barneverntjenesten", K.CHILD_WELFARE, None),
    ("Familieteamet", K.CHILD_WELFARE, "Barneverntjenesten"),
    ("Pedagogisk-psykologisk tjeneste (PPT)", K.PPT, None),
    ("Solvik kulturskole", K.CULTURE, None),
    ("Biblioteket og kulturhuset", K.CULTURE, None),
    ("Ungdomsklubben Verkstedet", K.LEISURE, None),
    ("Fritid for alle – fritidskontakt", K.LEISURE, None),
    ("Utekontakten", K.LEISURE, None),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    grants: tuple[tuple[str, str | None], ...]  # (role, unit name or None for municipality)


DEMO_USERS: list[DemoUser] = [
    DemoUser("sektorleder", "Siri", "Haugen", ((Role.SECTOR_LEADER, None),)),
    DemoUser(
        "virksomhetsleder",
        "Vidar",
        "Lunde",
        ((Role.UNIT_LEADER, "Solvik barneskole"), (Role.UNIT_LEADER, "Solvik SFO")),
    ),
    DemoUser(
        "ansatt",
        "Anne",
        "Berg",
        ((Role.STAFF, "Solvik barneskole"), (Role.STAFF, "Solvik SFO")),
    ),
    DemoUser("bti-koordinator", "Bjørn", "Tangen", ((Role.BTI_COORDINATOR, None),)),
    DemoUser("folkevalgt", "Frida", "Vik", ((Role.ELECTED_OFFICIAL, None),)),
    DemoUser("dataansvarlig", "Dag", "Aas", ((Role.DATA_ADMIN, None),)),
]


# Leaders and staff of the other units: responsible persons for the demo plans' measures.
# They log in with the same password; the six logins above are the ones the README names.
L, S = Role.UNIT_LEADER, Role.STAFF
DEMO_STAFF: list[DemoUser] = [
    DemoUser(
        "hanne.moe", "Hanne", "Moe", ((L, "Solbakken barnehage"), (L, "Elvebredden barnehage"))
    ),
    DemoUser("kari.dahl", "Kari", "Dahl", ((L, "Lyngheia barnehage"), (L, "Kløverenga barnehage"))),
    DemoUser(
        "tor.eide",
        "Tor",
        "Eide",
        ((L, "Tunet naturbarnehage"), (L, "Fjellstua familiebarnehage")),
    ),
    DemoUser("rune.strand", "Rune", "Strand", ((L, "Bakkeli skole"), (L, "Bakkeli SFO"))),
    DemoUser(
        "ingrid.foss",
        "Ingrid",
        "Foss",
        ((L, "Nordby oppvekstsenter – skole"), (L, "Nordby SFO")),
    ),
    DemoUser("per.holm", "Per", "Holm", ((L, "Solvik ungdomsskole"),)),
    DemoUser(
        "marte.lie",
        "Marte",
        "Lie",
        ((L, "Helsestasjon og skolehelsetjeneste"), (L, "Helsestasjon for ungdom")),
    ),
    DemoUser(
        "jon.bakke", "Jon", "Bakke", ((L, "Solvik kulturskole"), (L, "Biblioteket og kulturhuset"))
    ),
    DemoUser(
        "lise.ruud",
        "Lise",
        "Ruud",
        (
            (L, "Ungdomsklubben Verkstedet"),
            (L, "Fritid for alle – fritidskontakt"),
            (L, "Utekontakten"),
        ),
    ),
    DemoUser("ola.sand", "Ola", "Sand", ((L, "Barneverntjenesten"), (L, "Familieteamet"))),
    DemoUser("eva.lund", "Eva", "Lund", ((L, "Pedagogisk-psykologisk tjeneste (PPT)"),)),
    DemoUser(
        "nina.hagen", "Nina", "Hagen", ((S, "Solbakken barnehage"), (S, "Elvebredden barnehage"))
    ),
    DemoUser(
        "sofie.aasen", "Sofie", "Aasen", ((S, "Lyngheia barnehage"), (S, "Kløverenga barnehage"))
    ),
    DemoUser(
        "emil.berge",
        "Emil",
        "Berge",
        ((S, "Tunet naturbarnehage"), (S, "Fjellstua familiebarnehage")),
    ),
    DemoUser("maria.olsen", "Maria", "Olsen", ((S, "Bakkeli skole"), (S, "Bakkeli SFO"))),
    DemoUser(
        "jonas.kristiansen",
        "Jonas",
        "Kristiansen",
        ((S, "Nordby oppvekstsenter – skole"), (S, "Nordby SFO")),
    ),
    DemoUser("thea.larsen", "Thea", "Larsen", ((S, "Solvik ungdomsskole"),)),
    DemoUser(
        "helene.fjeld",
        "Helene",
        "Fjeld",
        ((S, "Helsestasjon og skolehelsetjeneste"), (S, "Helsestasjon for ungdom")),
    ),
    DemoUser(
        "amir.hassan",
        "Amir",
        "Hassan",
        ((S, "Solvik kulturskole"), (S, "Biblioteket og kulturhuset")),
    ),
    DemoUser(
        "sara.nguyen",
        "Sara",
        "Nguyen",
        (
            (S, "Ungdomsklubben Verkstedet"),
            (S, "Fritid for alle – fritidskontakt"),
            (S, "Utekontakten"),
        ),
    ),
]


# --- The quality plan -------------------------------------------------------------------
# Shaped after Jevnaker kommune's Kvalitetsplan for Oppvekst og Kultur 2022–2025 (values,
# anchoring, quality per service field, four development areas, realisation), written
# anew for the fictional Solvik.

PLAN_TITLE = "Kvalitetsplan for oppvekst og kultur"
PLAN_PURPOSE = (
    "Alle barn og unge i Solvik skal få en trygg oppvekst der de blir sett, får mestre og "
    "kan delta i fellesskapet."
)
PLAN_INTRODUCTION = (
    "Kvalitetsplanen er den felles strategien for oppvekst og kultur i Solvik kommune. Den "
    "gjelder alle tjenester for barn, unge og familier – fra svangerskapet til ung voksen "
    "alder – og skal gjøre det lettere å arbeide sammen på tvers av tjenestene.\n\n"
    "Planen bygger på forskning, på det barn, unge og foresatte har fortalt oss, og på "
    "erfaringene til de ansatte. Den erstatter ikke fagplanene, men gir retning for dem.\n\n"
    "Planen blir til virkelighet gjennom tre prinsipper: strategisk og helhetlig planlegging "
    "(hver virksomhet har sin utviklingsplan og sine kvalitetsverktøy), ansvarliggjøring "
    "(planen er tema i ledermøter, personalmøter og dialogen med de folkevalgte) og "
    "samtidighet (vi arbeider med ansatte, barn og unge, foresatte og frivillige på samme tid)."
)

# (name, what it means for the child and family – one point per line)
PLAN_VALUES: list[tuple[str, str]] = [
    (
        "Åpen",
        "Vi lytter til deg og er nysgjerrige på hva du tenker.\n"
        "Vi regner med at familien selv vet mye om hva som kan hjelpe.",
    ),
    (
        "Nytenkende",
        "Vi finner nye måter å la alle komme til orde på, uansett alder og funksjonsnivå.\n"
        "Vi strekker oss lenger for barn og familier som trenger det mest.",
    ),
    (
        "Redelig",
        "Det som er best for barnet, er alltid utgangspunktet.\n"
        "Vi sier det som det er, også når det er vanskelig.",
    ),
]

LOVDATA = "https://lovdata.no/dokument/"
A = AnchoringKind
# (kind, title, url – only where the address is certain, note)
PLAN_ANCHORINGS: list[tuple[str, str, str, str]] = [
    (
        A.LAW,
        "FNs barnekonvensjon",
        "",
        "Gjelder som norsk lov gjennom menneskerettsloven; barnets beste skal være et "
        "grunnleggende hensyn.",
    ),
    (A.LAW, "Menneskerettsloven", LOVDATA + "NL/lov/1999-05-21-30", ""),
    (A.LAW, "Barnehageloven", LOVDATA + "NL/lov/2005-06-17-64", ""),
    (A.LAW, "Opplæringslova", LOVDATA + "NL/lov/2023-06-09-30", ""),
    (A.LAW, "Barnevernsloven", LOVDATA + "NL/lov/2021-06-18-97", ""),
    (A.LAW, "Helse- og omsorgstjenesteloven", LOVDATA + "NL/lov/2011-06-24-30", ""),
    (A.LAW, "Folkehelseloven", LOVDATA + "NL/lov/2011-06-24-29", ""),
    (A.LAW, "Kulturlova", LOVDATA + "NL/lov/2007-06-29-89", ""),
    (
        A.LAW,
        "Forskrift om helsestasjons- og skolehelsetjenesten",
        LOVDATA + "SF/forskrift/2018-10-19-1584",
        "",
    ),
    (
        A.LAW,
        "Rammeplan for barnehagens innhold og oppgaver",
        LOVDATA + "SF/forskrift/2017-04-24-487",
        "",
    ),
    (A.LAW, "Læreplanverket for Kunnskapsløftet 2020", "", ""),
    (A.LAW, "Rammeplan for SFO", "", ""),
    (
        A.NATIONAL,
        "Barnevernsreformen (oppvekstreformen)",
        "",
        "Flytter mer av ansvaret for forebygging og tidlig innsats til kommunene.",
    ),
    (
        A.NATIONAL,
        "Meld. St. 6 (2019–2020) Tett på – tidlig innsats og inkluderende fellesskap",
        "",
        "Kompetansen skal nærmere barna, og det tverrfaglige samarbeidet styrkes.",
    ),
    (
        A.NATIONAL,
        "Meld. St. 18 (2020–2021) Oppleve, skape, dele",
        "",
        "Kunst og kultur for, med og av barn og unge.",
    ),
    (A.NATIONAL, "Meld. St. 21 (2020–2021) Fullføringsreformen", "", ""),
    (A.NATIONAL, "Like muligheter i oppveksten – samarbeidsstrategi for barn og ungdom", "", ""),
    (A.NATIONAL, "FNs bærekraftsmål", "", "Særlig mål 3, 4 og 10."),
    (A.LOCAL, "Kommuneplanens samfunnsdel for Solvik", "", ""),
    (A.LOCAL, "Økonomiplan og handlingsprogram", "", ""),
    (A.LOCAL, "Oversikt over folkehelsen i Solvik", "", ""),
    (A.LOCAL, "Handlingsplan mot vold i nære relasjoner", "", ""),
    (A.LOCAL, "Kulturplan «Kultur for alle»", "", ""),
]


@dataclass(frozen=True)
class DemoArea:
    name: str
    description: str
    goal: str
    components: tuple[tuple[str, str], ...]
    characteristics: tuple[str, ...]
    meaning: str


PLAN_AREAS: list[DemoArea] = [
    DemoArea(
        name="Lærende organisasjon",
        description=(
            "Sektoren og hver virksomhet lærer av sitt eget arbeid: de ansatte deler det de "
            "vet, prøver ut nye måter å arbeide på og vurderer sammen hva som virker. Det "
            "krever en felles forståelse av oppdraget og ledere som setter av tid til "
            "refleksjon."
        ),
        goal=(
            "Praksisen i sektoren og i hver virksomhet blir stadig bedre, slik at barn, unge "
            "og familier møter tjenester av høy kvalitet."
        ),
        components=(
            (
                "Ledelse som gir retning og mestring",
                "Lederne sørger for at alle forstår oppdraget i lov og rammeverk, legger til "
                "rette for læring i fellesskap og bygger et klima av tillit der de ansatte får "
                "brukt og utviklet sine sterke sider.",
            ),
            (
                "Praksis bygget på kunnskap og fag",
                "Arbeidet har et faglig grunnlag som vi jevnlig prøver kritisk. Når ny "
                "kunnskap viser en bedre vei, endrer vi praksis i hele tjenesten, ikke bare "
                "hos den enkelte.",
            ),
            (
                "Vilje til endring og utvikling",
                "Samfunnet endrer seg, og det gjør behovene til barn og familier også. "
                "Virksomhetene ser etter muligheter til å gjøre ting bedre og forstår sin "
                "rolle i lokalsamfunnet.",
            ),
        ),
        characteristics=(
            "Innspill fra barn og elever brukes når aktiviteter planlegges og evalueres.",
            "Vi undrer oss sammen med dem som bruker tjenesten, og tar med oss det vi hører.",
            "Personalet drøfter det de ser i praksis, jevnlig og åpent.",
            "Vi holder ut med et utviklingsarbeid over tid og evaluerer det før vi går videre.",
            "Tjenestene kjenner hverandre og bygger ned tersklene mellom seg – vi er én kommune.",
            "Alle ansatte ser det som sin oppgave å bidra til bedre kvalitet.",
            "Foresatte er med og evaluerer overgangene, og rutinene endres etter det de sier.",
        ),
        meaning=(
            "Du blir spurt om hva du mener, og det du sier, brukes til å gjøre tjenestene "
            "bedre.\nDu merker at tjenestene endrer seg når noe ikke fungerer."
        ),
    ),
    DemoArea(
        name="Inkluderende miljø",
        description=(
            "Et inkluderende miljø handler om å oppleve at man hører til og betyr noe for de "
            "andre. Det er grunnlaget for trivsel og utvikling, og det forutsetter voksne som "
            "er varme, til stede og tydelige – og som griper inn når noen blir holdt utenfor "
            "eller krenket."
        ),
        goal=(
            "Alle opplever at de hører til og er med på å skape et fellesskap der de trives "
            "og utvikler seg."
        ),
        components=(
            (
                "Tilhørighet og betydning for fellesskapet",
                "Barn og unge skal kjenne at de hører hjemme et sted, og at det betyr noe for "
                "andre hva de gjør. Det viser seg i lek, nysgjerrighet, humor og glede.",
            ),
            (
                "Trygghet, vennskap og mestring",
                "Barn og unge trenger å øve på sosiale ferdigheter – å dele, vise omtanke, "
                "kjenne igjen egne følelser og si sin mening på en god måte. Barnehagen, "
                "skolen og fritiden gir trygge steder å øve.",
            ),
            (
                "Alle ansatte tar ansvar for inkludering",
                "Ansatte og frivillige bygger gode relasjoner med vilje og plan. De er varme "
                "og støttende og stiller samtidig tydelige forventninger til hvordan vi "
                "behandler hverandre.",
            ),
        ),
        characteristics=(
            "Alle får være med – også i fritidstilbudene.",
            "Utstyr lånes ut, slik at ingen står over en aktivitet fordi de mangler noe.",
            "Kostnader holder ingen borte fra fritidsaktiviteter.",
            "Skoleåret starter med aktiviteter som bygger klassemiljø, særlig i 8. trinn.",
            "Foresatte inviterer hverandre og barna hjem på tvers av vennegjengene.",
            "De ansatte har kompetanse i relasjonsarbeid og psykososialt miljø.",
            "Praktiske læringsarenaer gir flere elever mulighet til å lykkes.",
        ),
        meaning=(
            "Du trives i barnehagen, på skolen og i fritiden.\n"
            "Du kjenner at du er en viktig del av fellesskapet.\n"
            "Voksne griper inn hvis noen holdes utenfor."
        ),
    ),
    DemoArea(
        name="Tidlig innsatskompetanse",
        description=(
            "Tidlig innsats betyr å hjelpe tidlig i et barns liv og tidlig når en vanske "
            "viser seg. De ansatte må kunne se behovene, gi støtte i det vanlige tilbudet og "
            "vite når og hvordan de skal hente inn andre tjenester. BTI-modellen er sektorens "
            "felles arbeidsmåte."
        ),
        goal="Barn, unge og familier får den hjelpen de trenger, når de trenger den.",
        components=(
            (
                "Fra oppmerksomhet til handling",
                "Når en ansatt undrer seg eller blir bekymret, skal det føre til handling. "
                "BTI-modellens handlingsveileder og stafettlogg sørger for at innsatsen blir "
                "samordnet og dokumentert.",
            ),
            (
                "Barnets, ungdommens og familiens perspektiv",
                "Barn, unge og familier blir hørt og får være med og bestemme i tråd med "
                "alder og modenhet. Samtaler og observasjon hjelper oss å forstå hvordan "
                "situasjonen ser ut fra deres side.",
            ),
            (
                "Foreldremedvirkning",
                "Foresatte kjenner barnet best og tas med så tidlig som mulig – unntatt når "
                "det er mistanke om vold eller overgrep i hjemmet.",
            ),
        ),
        characteristics=(
            "Barn, unge og foresatte vet hvor de kan få hjelp.",
            "Helsesykepleier er lett å få tak i, også uten avtale.",
            "Mobbing, vold og overgrep tas opp på faste tidspunkt gjennom hele oppveksten.",
            "De ansatte kjenner igjen signaler og vet hva de skal gjøre – det er ikke tilfeldig.",
            "Informasjon følger barnet i overgangene fra barnehage til skole og videre.",
            "Det er tydelig hvem som gjør hva når flere tjenester er inne.",
            "Frivillige som arbeider med barn, får opplæring i å se faresignaler.",
        ),
        meaning=(
            "Barn og unge som strever, blir sett og fulgt opp.\n"
            "Du vet hvor du kan si fra og få hjelp.\n"
            "Foreldrene blir tatt med tidlig når noen er bekymret for barnet."
        ),
    ),
    DemoArea(
        name="Helsefremmende møteplasser",
        description=(
            "Nærmiljøet påvirker hvordan vi har det. Barnehager, skoler, kulturtilbud, "
            "idrett, uorganiserte møteplasser og digitale fellesskap kan alle fremme helse – "
            "når de er tilgjengelige for alle, uavhengig av familiens økonomi og "
            "funksjonsevne."
        ),
        goal="Alle har tilgang til møteplasser som fremmer helse, aktivitet og fellesskap.",
        components=(
            (
                "Barnehagen og skolen som helsefremmende arena",
                "Et godt psykososialt miljø, fysisk aktivitet, gode måltider og balanse "
                "mellom aktivitet og hvile gjør barnehagen og skolen til steder som styrker "
                "både fysisk og psykisk helse.",
            ),
            (
                "Tilgjengelige kultur-, idretts- og fritidstilbud",
                "Et variert tilbud gir opplevelser, mestring og fellesskap. Lave kostnader, "
                "utlån av utstyr og universell utforming gjør at flere kan delta.",
            ),
            (
                "Digitale møteplasser for alle",
                "Mye av livet til barn og unge foregår digitalt. Kommunen legger til rette "
                "for trygge digitale møteplasser ved siden av de fysiske, og for at alle har "
                "utstyret de trenger.",
            ),
        ),
        characteristics=(
            "Uteområdene ved barnehager og skoler inviterer til lek og aktivitet hele året.",
            "Det finnes uorganiserte møteplasser der ungdom kan henge og være aktive.",
            "Tilbudene er universelt utformet.",
            "Unge får ansvar, for eksempel som hjelpetrenere for yngre barn.",
            "Kulturens egenverdi anerkjennes – kultur er helsefremmende i seg selv.",
            "Foreldre tar initiativ til felles aktiviteter for hele klassen eller avdelingen.",
            "Skolen har digitale hjelpemidler som virker, og elevene lærer å bruke dem trygt.",
        ),
        meaning=(
            "Du har tilgang til varierte aktiviteter og møteplasser der du bor.\n"
            "Du kan delta selv om familien har dårlig råd."
        ),
    ),
]

F = ServiceField
# (service field, title, marks of quality – one per line, source)
PLAN_QUALITY: list[tuple[str, str, str, str]] = [
    (
        F.KINDERGARTEN,
        "Kvalitet i barnehagen",
        "Ansatte med høy faglig kompetanse og engasjement\n"
        "Felles mål og retning for det pedagogiske arbeidet\n"
        "Omsorg, lek og læring sett i sammenheng\n"
        "Mye tid ute og i naturen\n"
        "Tydelig ledelse av både personalet og barnegruppene\n"
        "En dagsrytme som passer barna\n"
        "Aktiviteter i små grupper, satt i gang av både barn og voksne\n"
        "Godt samarbeid med foreldrene og andre tjenester\n"
        "Barnas perspektiv, medvirkning og trivsel i sentrum",
        "GoBaN – Gode barnehager for barn i Norge",
    ),
    (
        F.SCHOOL,
        "Kvalitet i skolen",
        "Skoleeier er tett på skolene og lærer av dem\n"
        "Skolen tar hele samfunnsoppdraget på alvor, faglig og sosialt\n"
        "Lederne skjermer undervisningen mot støy og unødige forstyrrelser\n"
        "Synlige ledere organiserer for samarbeid og jevnlig vurdering\n"
        "Lærerne har ansvar for og eierskap til utviklingsarbeidet\n"
        "Medvirkning på alle nivåer, fra skoleeier til elev",
        "Ekspertgruppen for skolebidrag, sluttrapport",
    ),
    (
        F.SCHOOL,
        "Kvalitet i SFO",
        "Sammenheng og samarbeid mellom skole og SFO\n"
        "Forankring i ledelsen, med mål og oppfølging\n"
        "Felles organisering og planlegging for skole og SFO\n"
        "Kompetente ansatte og ressurser brukt på tvers\n"
        "Avklarte forventninger og god dialog med hjemmet\n"
        "Et variert innhold med vekt på lek, trivsel og medvirkning",
        "Udir – Kvalitet i SFO",
    ),
    (
        F.PREVENTIVE,
        "Kvalitet i barneverntjenesten",
        "Høy kompetanse og godt faglig skjønn hos den enkelte\n"
        "Medvirkning og relasjoner som gir åpenhet, tillit og trygghet\n"
        "Forsvarlig saksbehandling til barnets beste i alle faser\n"
        "Barnets stemme blir hørt gjennom hele saken\n"
        "Godt samarbeid med andre tjenester",
        "Barnevernsloven; Bufdir",
    ),
    (
        F.PREVENTIVE,
        "Kvalitet i forebyggende tjenester",
        "Medvirkning og relasjoner som gir tillit og trygghet\n"
        "Høy faglig og tverrfaglig kunnskap\n"
        "Blikk for hele mennesket, familien og nettverket\n"
        "En anerkjennende holdning i hvert møte\n"
        "Vekt på mestring, ressurser og livskvalitet",
        "Helsedirektoratet, nasjonal faglig retningslinje for helsestasjon og "
        "skolehelsetjeneste; RBUP",
    ),
    (
        F.CULTURE,
        "Kvalitet i kultur og fritid",
        "Et kulturliv som speiler hele befolkningen\n"
        "Bredde i de lokale tilbudene\n"
        "Kulturarven blir tatt vare på og formidlet\n"
        "Trygge og gratis møteplasser i nærmiljøet\n"
        "Rom for aktiviteter ungdom organiserer selv\n"
        "Medvirkning når tilbudene utformes\n"
        "Universelt utformede arenaer",
        "Meld. St. 8 (2018–2019) Kulturens kraft; Meld. St. 18 (2020–2021) Oppleve, skape, "
        "dele; BUSK-rapporten",
    ),
    (
        F.ADMINISTRATION,
        "Kvalitet i samspillet mellom politikk og administrasjon",
        "Folkevalgte og administrasjon har en felles forståelse av hvor sektoren står\n"
        "Målene er få, tydelige og målbare\n"
        "Tilstanden rapporteres hvert år: hvor er vi, hvor vil vi, hvordan kommer vi dit\n"
        "Folkevalgte lytter til innbyggerne og tar det med inn i prioriteringene\n"
        "Rollene er avklart og respektert",
        "KS – ABSOLUTT-programmet",
    ),
]

# Revision 2 (a draft made from the adopted revision 1) changes these, so the comparison
# and the history have something to show.
REVISION_2_PURPOSE = (
    "Alle barn og unge i Solvik skal få en trygg oppvekst der de blir sett, får mestre og "
    "kan delta i fellesskapet – hjemme, i barnehagen, på skolen og i fritiden."
)
REVISION_2_GOAL = (
    "Helsefremmende møteplasser",
    "Alle har tilgang til trygge møteplasser – fysiske og digitale – som fremmer helse, "
    "aktivitet og fellesskap.",
)
REVISION_2_CHARACTERISTIC = (
    "Inkluderende miljø",
    "Nye familier i kommunen får en fast kontaktperson det første året.",
)
REVISION_2_ANCHORING = (A.LOCAL, "Plan for fysisk aktivitet og friluftsliv", "", "")


# --- Quality tools ----------------------------------------------------------------------

# service field → (title, statements per area, in PLAN_AREAS order)
QUALITY_TOOLS: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {
    F.KINDERGARTEN: (
        "Kvalitetsverktøy for barnehagene",
        (
            (
                "Personalet setter av tid hver måned til å drøfte egen praksis ut fra "
                "observasjoner av barna.",
                "Styreren følger opp utviklingsarbeidet, og alle ansatte kjenner årets mål.",
            ),
            (
                "Alle barn har minst én venn og en voksen de er trygge på.",
                "De ansatte ser når et barn faller utenfor leken, og hjelper det inn.",
                "Foreldremøtene tar opp hvordan foreldrene kan bidra til et inkluderende miljø.",
            ),
            (
                "De ansatte kjenner BTI-handlingsveilederen og bruker den når de undrer seg "
                "over et barn.",
                "Foreldrene blir tatt med i samtalen tidlig når vi er bekymret.",
            ),
            (
                "Barna er ute hver dag og får variert fysisk aktivitet.",
                "Måltidene er rolige og sunne, og barna er med og forbereder dem.",
            ),
        ),
    ),
    F.SCHOOL: (
        "Kvalitetsverktøy for skole og SFO",
        (
            (
                "Lærerne planlegger, prøver ut og vurderer undervisningen sammen i team.",
                "Elevrådet blir spurt før skolen endrer rutiner som angår elevene.",
            ),
            (
                "Alle elever har noen å være sammen med i friminuttene.",
                "Skole og SFO har en felles plan for arbeidet med det psykososiale miljøet.",
                "De ansatte griper inn straks når de ser eller hører krenkelser.",
            ),
            (
                "Lærerne fanger opp elever som strever, og setter inn tiltak i klasserommet "
                "før det søkes hjelp utenfra.",
                "Informasjon fra barnehagen brukes aktivt når elevene begynner på skolen.",
            ),
            (
                "Elevene er fysisk aktive hver skoledag, også i de teoretiske fagene.",
                "SFO har varierte aktiviteter ute og inne som barna selv er med og velger.",
            ),
        ),
    ),
    F.PREVENTIVE: (
        "Kvalitetsverktøy for forebyggende tjenester og barnevern",
        (
            (
                "Tjenesten evaluerer egne rutiner sammen med familiene den møter.",
                "De ansatte får veiledning og faglig påfyll som henger sammen med årets mål.",
            ),
            (
                "Familier med ulik bakgrunn opplever å bli møtt med respekt og forståelse.",
                "Tjenesten samarbeider med barnehager og skoler om barn som står utenfor.",
            ),
            (
                "Barnets egen stemme er dokumentert i alle saker.",
                "Foresatte opplever at tjenestene samarbeider, og at de slipper å fortelle "
                "historien sin på nytt.",
                "Helsesykepleier er på skolen uten timeavtale flere dager i uken.",
            ),
            (
                "Helsestasjonen gir råd om aktivitet, søvn og skjermbruk tilpasset barnets alder.",
                "Tjenesten kjenner fritidstilbudene og hjelper familier i kontakt med dem.",
            ),
        ),
    ),
    F.CULTURE: (
        "Kvalitetsverktøy for kultur og frivillighet",
        (
            (
                "Vi spør deltakerne hvert år om hva de vil ha mer og mindre av.",
                "Frivillige og ansatte møtes jevnlig for å dele erfaringer.",
            ),
            (
                "Alle som vil, kan delta uansett økonomi – utstyr lånes ut og kontingenten er lav.",
                "Nye deltakere blir tatt imot av en fast kontaktperson.",
            ),
            (
                "Ledere og frivillige vet hva de skal gjøre når de blir bekymret for et barn.",
                "Vi samarbeider med fritidskontakten om barn og unge som faller ut av "
                "aktivitetene.",
            ),
            (
                "Tilbudene er universelt utformet og lette å finne fram til.",
                "Ungdom er med og planlegger og driver møteplassene.",
                "Det finnes gratis tilbud på kveldstid og i helgene.",
            ),
        ),
    ),
    F.ADMINISTRATION: (
        "Kvalitetsverktøy for administrasjon og politikk",
        (
            (
                "Tilstandsrapporten brukes til å velge få og tydelige prioriteringer.",
                "Administrasjonen og de folkevalgte møtes minst to ganger i året for å drøfte "
                "hvor sektoren står.",
            ),
            (
                "Budsjettet sikrer at alle barn kan delta i fritidsaktiviteter.",
                "De folkevalgte omtaler tjenestene på en måte som bygger tillit.",
            ),
            (
                "Vedtak om tidlig innsats følges opp med ressurser og rapportering.",
                "Barn og unges kommunestyre blir hørt i saker som angår dem.",
            ),
            (
                "Planer for arealer og bygg tar hensyn til møteplasser for barn og unge.",
                "Kommunen har en oppdatert oversikt over gratis møteplasser.",
            ),
        ),
    ),
}


# --- Unit development plans -------------------------------------------------------------

# The four kinds of measure catalogues the units draw from.
KINDERGARTEN_GROUP, SCHOOL_GROUP, PREVENTIVE_GROUP, CULTURE_GROUP = (
    "barnehage",
    "skole",
    "forebyggende",
    "kultur",
)
UNIT_GROUP: dict[str, str] = {
    UnitKind.KINDERGARTEN: KINDERGARTEN_GROUP,
    UnitKind.SCHOOL: SCHOOL_GROUP,
    UnitKind.SFO: SCHOOL_GROUP,
    UnitKind.HEALTH_STATION: PREVENTIVE_GROUP,
    UnitKind.CHILD_WELFARE: PREVENTIVE_GROUP,
    UnitKind.PPT: PREVENTIVE_GROUP,
    UnitKind.CULTURE: CULTURE_GROUP,
    UnitKind.LEISURE: CULTURE_GROUP,
}

T = TargetGroup
# group → area (PLAN_AREAS order) → three (component index, measure, target groups)
MEASURES: dict[str, tuple[tuple[tuple[int, str, tuple[str, ...]], ...], ...]] = {
    KINDERGARTEN_GROUP: (
        (
            (0, "Månedlige refleksjonsmøter i personalet om observasjoner av lek", (T.STAFF,)),
            (1, "Nettverk med de andre barnehagene om språkarbeid", (T.STAFF, T.CHILDREN)),
            (
                2,
                "Barnesamtaler som fast del av foreldresamtalen",
                (T.STAFF, T.CHILDREN, T.GUARDIANS),
            ),
        ),
        (
            (0, "Vennskapsgrupper på tvers av avdelingene", (T.CHILDREN, T.STAFF)),
            (1, "Kurs i Trygghetssirkelen for alle ansatte", (T.STAFF,)),
            (2, "Foreldrekaffe hver måned for nye familier", (T.GUARDIANS, T.STAFF)),
        ),
        (
            (0, "BTI-handlingsveilederen tas i bruk i alle avdelinger", (T.STAFF,)),
            (2, "Felles foreldremøte med helsestasjonen om språk og lek", (T.GUARDIANS, T.STAFF)),
            (1, "Observasjon av trivsel to ganger i året", (T.STAFF, T.CHILDREN)),
        ),
        (
            (0, "Utetid hver dag med variert fysisk aktivitet", (T.CHILDREN, T.STAFF)),
            (1, "Tur med turlaget én gang i måneden", (T.CHILDREN, T.VOLUNTEERS, T.GUARDIANS)),
            (0, "Sunne måltider som barna er med og lager", (T.CHILDREN, T.STAFF)),
        ),
    ),
    SCHOOL_GROUP: (
        (
            (0, "Lærerteamene planlegger og vurderer undervisningen sammen hver uke", (T.STAFF,)),
            (1, "Elevrådet uttaler seg om nye ordensregler", (T.CHILDREN, T.STAFF)),
            (2, "Kollegaveiledning i klasseledelse", (T.STAFF,)),
        ),
        (
            (0, "Klassetur i første skoleuke for nye klasser", (T.CHILDREN, T.STAFF, T.GUARDIANS)),
            (1, "Fadderordning mellom de eldste og de yngste elevene", (T.CHILDREN,)),
            (2, "Felles plan for skolemiljøet i skole og SFO", (T.STAFF, T.GUARDIANS)),
        ),
        (
            (0, "Kartlegging og tett oppfølging i lesing på 1.–4. trinn", (T.CHILDREN, T.STAFF)),
            (2, "Overgangsmøter med barnehagene før skolestart", (T.STAFF, T.GUARDIANS)),
            (1, "Helsesykepleier i klassene om psykisk helse", (T.CHILDREN, T.STAFF)),
        ),
        (
            (0, "Daglig fysisk aktivitet i undervisningen", (T.CHILDREN, T.STAFF)),
            (1, "Aktivitetsfriminutt med elever som ledere", (T.CHILDREN,)),
            (1, "Utlån av sportsutstyr i samarbeid med BUA", (T.CHILDREN, T.VOLUNTEERS)),
        ),
    ),
    PREVENTIVE_GROUP: (
        (
            (1, "Brukerundersøkelse blant foreldrene på helsestasjonen", (T.GUARDIANS, T.STAFF)),
            (1, "Fagdag om den nasjonale faglige retningslinjen", (T.STAFF,)),
            (2, "Evaluering av rutinene sammen med ungdomsrådet", (T.CHILDREN, T.STAFF)),
        ),
        (
            (0, "Åpen barselgruppe for familier med et annet morsmål", (T.GUARDIANS,)),
            (2, "Samarbeid med skolene om elever med høyt fravær", (T.STAFF, T.CHILDREN)),
            (1, "Gruppetilbud for ungdom om selvfølelse", (T.CHILDREN,)),
        ),
        (
            (0, "Drop-in hos helsesykepleier på skolene tre dager i uken", (T.CHILDREN, T.STAFF)),
            (1, "Samtaleverktøy for barnets stemme i alle saker", (T.STAFF, T.CHILDREN)),
            (2, "Foreldreveiledning i grupper (ICDP)", (T.GUARDIANS, T.STAFF)),
        ),
        (
            (0, "Råd om søvn og skjermbruk på fireårskontrollen", (T.GUARDIANS, T.CHILDREN)),
            (1, "Fritidsguide for familier som er nye i kommunen", (T.GUARDIANS, T.VOLUNTEERS)),
            (2, "Chat med helsesykepleier på kveldstid", (T.CHILDREN,)),
        ),
    ),
    CULTURE_GROUP: (
        (
            (1, "Årlig deltakerundersøkelse i alle tilbud", (T.CHILDREN, T.STAFF)),
            (0, "Erfaringssamling for frivillige og ansatte", (T.VOLUNTEERS, T.STAFF)),
            (2, "Ungdomsråd med egen budsjettpott", (T.CHILDREN, T.VOLUNTEERS)),
        ),
        (
            (
                0,
                "Utlån av instrumenter og utstyr uten kostnad",
                (T.CHILDREN, T.GUARDIANS, T.VOLUNTEERS),
            ),
            (2, "Fast kontaktperson for nye deltakere", (T.STAFF, T.VOLUNTEERS)),
            (
                1,
                "Friplasser i kulturskolen for familier med lav inntekt",
                (T.CHILDREN, T.GUARDIANS),
            ),
        ),
        (
            (0, "Kurs for trenere og frivillige om å se faresignaler", (T.VOLUNTEERS,)),
            (1, "Samarbeid med fritidskontakten om barn som faller fra", (T.STAFF, T.VOLUNTEERS)),
            (2, "Foreldremøte om trygg bruk av sosiale medier", (T.GUARDIANS,)),
        ),
        (
            (1, "Åpen hall fredag kveld", (T.CHILDREN, T.VOLUNTEERS, T.STAFF)),
            (1, "Universell utforming av scenen i kulturhuset", (T.STAFF,)),
            (2, "Digital møteplass for gaming med voksne til stede", (T.CHILDREN, T.STAFF)),
        ),
    ),
}

# group → one local goal per area (PLAN_AREAS order)
GOALS: dict[str, tuple[str, str, str, str]] = {
    KINDERGARTEN_GROUP: (
        "Alle ansatte deltar i refleksjon over egen praksis minst én gang i måneden.",
        "Alle barn opplever å ha en venn og en trygg voksen i barnehagen.",
        "Undring rundt et barn fører til en samtale med foreldrene innen to uker.",
        "Barna er ute og i aktivitet minst to timer hver dag.",
    ),
    SCHOOL_GROUP: (
        "Alle lærerteam bruker fast tid hver uke til felles planlegging og vurdering.",
        "Flere elever svarer at de trives godt på skolen i Elevundersøkelsen.",
        "Elever som strever med lesing, får hjelp innen fire uker etter kartleggingen.",
        "Alle elever er fysisk aktive minst 60 minutter hver skoledag.",
    ),
    PREVENTIVE_GROUP: (
        "Tjenesten endrer minst én rutine hvert år etter innspill fra brukerne.",
        "Flere familier med et annet morsmål bruker tilbudene på helsestasjonen.",
        "Ungdom får snakke med helsesykepleier samme uke som de ber om det.",
        "Alle familier får råd om aktivitet, søvn og skjerm på helsestasjonen.",
    ),
    CULTURE_GROUP: (
        "Deltakernes innspill brukes når neste års tilbud planlegges.",
        "Ingen barn står utenfor et tilbud fordi familien ikke har råd.",
        "Alle trenere og ledere vet hvem de skal kontakte ved bekymring.",
        "Det er et gratis, åpent tilbud for ungdom minst tre kvelder i uken.",
    ),
}

PARTICIPANTS = {
    KINDERGARTEN_GROUP: "Barna, foreldrerådet og personalet",
    SCHOOL_GROUP: "Elevrådet, FAU og lærerne",
    PREVENTIVE_GROUP: "Ungdomsrådet, foreldre og de ansatte",
    CULTURE_GROUP: "Deltakerne, de frivillige og de ansatte",
}
# phase → (how, what came out of it)
PARTICIPATION: dict[str, tuple[str, str]] = {
    Phase.PLANNING: (
        "Verksted der vi gikk gjennom fjorårets evaluering og valgte utviklingsområder.",
        "Ønsket om flere tiltak for foresatte kom fra foreldrene selv.",
    ),
    Phase.CARRYING_OUT: (
        "Korte samtaler underveis med barn og foreldre om hvordan tiltakene virker.",
        "Vi justerte tidspunktene etter tilbakemeldingene.",
    ),
    Phase.EVALUATING: (
        "Spørreundersøkelse og evalueringsmøte i juni.",
        "De fleste opplevde at tiltakene gjorde en forskjell; de ønsker mer av det samme.",
    ),
}


@dataclass(frozen=True)
class DemoPlanSpec:
    unit: str
    areas: tuple[int, int]  # indexes into PLAN_AREAS
    previous: str  # last school year's plan ended as approved or evaluated
    current: str | None  # None: not started this year


P = UnitPlanStatus
DEMO_UNIT_PLANS: list[DemoPlanSpec] = [
    DemoPlanSpec("Solbakken barnehage", (1, 2), P.EVALUATED, P.APPROVED),
    DemoPlanSpec("Elvebredden barnehage", (1, 3), P.EVALUATED, P.SUBMITTED),
    DemoPlanSpec("Lyngheia barnehage", (0, 1), P.EVALUATED, P.DRAFT),
    DemoPlanSpec("Kløverenga barnehage", (2, 3), P.APPROVED, None),
    DemoPlanSpec("Tunet naturbarnehage", (3, 1), P.EVALUATED, P.RETURNED),
    DemoPlanSpec("Fjellstua familiebarnehage", (1, 0), P.EVALUATED, None),
    DemoPlanSpec("Solvik barneskole", (1, 2), P.EVALUATED, P.DRAFT),
    DemoPlanSpec("Bakkeli skole", (0, 3), P.EVALUATED, P.APPROVED),
    DemoPlanSpec("Nordby oppvekstsenter – skole", (2, 3), P.APPROVED, P.RETURNED),
    DemoPlanSpec("Solvik ungdomsskole", (1, 3), P.EVALUATED, P.SUBMITTED),
    DemoPlanSpec("Solvik SFO", (1, 3), P.EVALUATED, P.SUBMITTED),
    DemoPlanSpec("Bakkeli SFO", (3, 0), P.EVALUATED, P.APPROVED),
    DemoPlanSpec("Nordby SFO", (1, 3), P.EVALUATED, None),
    DemoPlanSpec("Helsestasjon og skolehelsetjeneste", (2, 3), P.EVALUATED, P.APPROVED),
    DemoPlanSpec("Helsestasjon for ungdom", (2, 1), P.APPROVED, P.DRAFT),
    DemoPlanSpec("Solvik kulturskole", (3, 1), P.EVALUATED, P.APPROVED),
    DemoPlanSpec("Biblioteket og kulturhuset", (3, 0), P.EVALUATED, P.DRAFT),
    DemoPlanSpec("Ungdomsklubben Verkstedet", (3, 1), P.EVALUATED, P.SUBMITTED),
    DemoPlanSpec("Fritid for alle – fritidskontakt", (3, 2), P.EVALUATED, P.RETURNED),
    DemoPlanSpec("Utekontakten", (2, 1), P.EVALUATED, P.APPROVED),
]
RETURN_COMMENT = (
    "Planen mangler tiltak rettet mot foresatte. Se på prinsippet om samtidighet og send "
    "planen inn igjen."
)
APPROVAL_COMMENT = "Godkjent. Fint at barn og foreldre har vært med i planleggingen."
YEAR_EVALUATION = (
    "Vi nådde de fleste målene for året. Tiltakene som ble utsatt, tar vi med i neste års "
    "plan, og vi fortsetter å involvere barn og foreldre i evalueringen."
)
MEASURE_EVALUATIONS = {
    MeasureStatus.DONE: "Gjennomført som planlagt.",
    MeasureStatus.POSTPONED: "Utsatt – vi rakk ikke å komme i gang og tar det med videre.",
    MeasureStatus.CANCELLED: "Avlyst – erstattet av et felles tiltak i kommunen.",
    MeasureStatus.IN_PROGRESS: "Godt i gang.",
}
GOAL_EVALUATIONS = {
    Attainment.MET: "Målet er nådd, og arbeidsmåten er blitt en del av hverdagen.",
    Attainment.PARTLY: "Vi er på vei, men ikke alle avdelinger er med ennå.",
    Attainment.NOT_MET: "Vi kom for sent i gang; målet videreføres.",
}


# --- Self-assessments ---------------------------------------------------------------------

# (unit, base score, assessments: (school-year offset 0 = last year / 1 = this year, month))
DEMO_ASSESSMENTS: list[tuple[str, int, tuple[tuple[int, int], ...]]] = [
    ("Solbakken barnehage", 2, ((0, 10), (0, 4), (1, 10))),
    ("Elvebredden barnehage", 3, ((0, 11), (1, 9))),
    ("Lyngheia barnehage", 2, ((0, 10), (0, 3))),
    ("Solvik barneskole", 2, ((0, 9), (0, 5), (1, 10))),
    ("Bakkeli skole", 3, ((0, 11), (1, 10))),
    ("Solvik ungdomsskole", 2, ((0, 10), (1, 9))),
    ("Helsestasjon og skolehelsetjeneste", 3, ((0, 9), (0, 4), (1, 9))),
    ("Solvik kulturskole", 2, ((0, 11), (1, 10))),
]
# This year's scores move differently per area, so the dashboard's trend arrows differ.
AREA_DRIFT = (1, 0, -1, 0)
REFLECTIONS = (
    "Vi er gode på dette i noen avdelinger, men det varierer.",
    "Dette har vi jobbet mye med i år, og det merkes.",
    "Her trenger vi mer kompetanse og tid til å øve.",
    "Barna og foreldrene bekrefter at dette fungerer.",
)


# --- Fortellinger ------------------------------------------------------------------------

G, ST = InputGroup, InputSetting
# (quote, descriptor, group, setting, area indexes, unit name or None)
DEMO_INPUTS: list[tuple[str, str, str, str, tuple[int, ...], str | None]] = [
    (
        "Det beste i barnehagen er når vi får bygge hytte i skogen.",
        "Jente, 5 år",
        G.CHILDREN,
        ST.CONVERSATION,
        (3,),
        "Tunet naturbarnehage",
    ),
    (
        "Jeg liker når de voksne leker med oss og ikke bare ser på.",
        "Gutt, 4 år",
        G.CHILDREN,
        ST.CONVERSATION,
        (1,),
        "Solbakken barnehage",
    ),
    (
        "Noen ganger får jeg ikke være med på leken. Da går jeg til en voksen.",
        "Jente, 6 år",
        G.CHILDREN,
        ST.CONVERSATION,
        (1, 2),
        "Elvebredden barnehage",
    ),
    (
        "Jeg vil at vi skal få bestemme hva vi skal ha til lunsj en gang.",
        "Gutt, 5 år",
        G.CHILDREN,
        ST.CONVERSATION,
        (0, 3),
        "Lyngheia barnehage",
    ),
    (
        "I friminuttet er det kjedelig hvis man ikke har en ball.",
        "Gutt, 8 år",
        G.CHILDREN,
        ST.STUDENT_COUNCIL,
        (3,),
        "Bakkeli skole",
    ),
    (
        "Læreren merker det når jeg er lei meg, selv om jeg ikke sier noe.",
        "Jente, 9 år",
        G.CHILDREN,
        ST.CONVERSATION,
        (2,),
        "Solvik barneskole",
    ),
    (
        "På SFO vil jeg at vi skal være mer ute og spille fotball.",
        "Gutt, 7 år",
        G.CHILDREN,
        ST.CONVERSATION,
        (3,),
        "Solvik SFO",
    ),
    (
        "Fadderne våre passet på at ingen var alene den første uka.",
        "Jente, 7 år",
        G.CHILDREN,
        ST.STUDENT_COUNCIL,
        (1,),
        "Nordby oppvekstsenter – skole",
    ),
    (
        "Det hadde vært fint med et sted å være etter skolen som ikke koster penger.",
        "Jente, 14 år",
        G.YOUTH,
        ST.SURVEY,
        (3,),
        None,
    ),
    (
        "Helsesykepleieren er grei, men det er alltid kø når jeg kommer.",
        "Gutt, 15 år",
        G.YOUTH,
        ST.SURVEY,
        (2,),
        "Helsestasjon for ungdom",
    ),
    (
        "Vi burde få si mer om hva skolen bruker penger på i skolemiljøet.",
        "Jente, 15 år",
        G.YOUTH,
        ST.STUDENT_COUNCIL,
        (0,),
        "Solvik ungdomsskole",
    ),
    (
        "På klubben er det lov å bare være. Ingen krever noe av deg.",
        "Gutt, 16 år",
        G.YOUTH,
        ST.WORKSHOP,
        (3, 1),
        "Ungdomsklubben Verkstedet",
    ),
    (
        "Det er lett å bli glemt hvis man ikke driver med idrett.",
        "Jente, 13 år",
        G.YOUTH,
        ST.SURVEY,
        (1, 3),
        None,
    ),
    (
        "Klasseturen i starten av åttende gjorde at jeg ble kjent med folk fra de andre skolene.",
        "Gutt, 14 år",
        G.YOUTH,
        ST.STUDENT_COUNCIL,
        (1,),
        "Solvik ungdomsskole",
    ),
    (
        "Jeg visste ikke at man kunne snakke med noen om ting som skjer hjemme.",
        "Jente, 16 år",
        G.YOUTH,
        ST.WORKSHOP,
        (2,),
        None,
    ),
    (
        "Spillkveldene er det eneste jeg gidder å gå på, og der har jeg fått venner.",
        "Gutt, 15 år",
        G.YOUTH,
        ST.WORKSHOP,
        (3,),
        "Ungdomsklubben Verkstedet",
    ),
    (
        "Vi fikk god hjelp, men vi måtte fortelle historien vår på nytt hver gang.",
        "Mor til gutt, 8 år",
        G.GUARDIANS,
        ST.HEARING,
        (2,),
        None,
    ),
    (
        "Det betyr mye at de ansatte hilser på oss ved navn hver morgen.",
        "Far til jente, 3 år",
        G.GUARDIANS,
        ST.SURVEY,
        (1,),
        "Solbakken barnehage",
    ),
    (
        "Vi visste ikke hvem vi skulle ringe da vi ble bekymret.",
        "Mor til elev",
        G.GUARDIANS,
        ST.HEARING,
        (2,),
        "Bakkeli skole",
    ),
    (
        "Utstyrsbua gjorde at sønnen vår kunne begynne på ski.",
        "Far til gutt, 10 år",
        G.GUARDIANS,
        ST.WORKSHOP,
        (3, 1),
        None,
    ),
    (
        "Det barnehagen visste om datteren vår, ble ikke brukt da hun begynte på skolen.",
        "Mor til elev",
        G.GUARDIANS,
        ST.WORKSHOP,
        (2,),
        "Solvik barneskole",
    ),
    (
        "Jeg skulle ønske foreldremøtene handlet mer om hvordan vi kan hjelpe hverandre.",
        "Mor til elev",
        G.GUARDIANS,
        ST.SURVEY,
        (1, 0),
        "Solvik ungdomsskole",
    ),
    (
        "Helsestasjonen tok oss på alvor fra første time.",
        "Mor til jente, 1 år",
        G.GUARDIANS,
        ST.SURVEY,
        (2,),
        "Helsestasjon og skolehelsetjeneste",
    ),
    (
        "Friplassen i kulturskolen har gitt barnet vårt noe å glede seg til hver uke.",
        "Far til jente, 11 år",
        G.GUARDIANS,
        ST.HEARING,
        (3, 1),
        "Solvik kulturskole",
    ),
    (
        "Vi trenger tid sammen til å snakke om det vi faktisk ser i barnegruppa.",
        "Pedagogisk leder",
        G.STAFF,
        ST.WORKSHOP,
        (0,),
        "Lyngheia barnehage",
    ),
    (
        "BTI har gjort det lettere å ta den første samtalen med foreldrene.",
        "Lærer, 5. trinn",
        G.STAFF,
        ST.WORKSHOP,
        (2,),
        "Bakkeli skole",
    ),
    (
        "Når vi kjenner de andre tjenestene, tar vi kontakt tidligere.",
        "Helsesykepleier",
        G.STAFF,
        ST.WORKSHOP,
        (2, 0),
        "Helsestasjon og skolehelsetjeneste",
    ),
    (
        "Vi er flinke til å starte nye ting, men dårligere til å evaluere dem.",
        "Rektor",
        G.STAFF,
        ST.HEARING,
        (0,),
        None,
    ),
    (
        "SFO og skolen burde planlegge mer sammen – barna er jo de samme.",
        "Baseleder i SFO",
        G.STAFF,
        ST.SURVEY,
        (1, 0),
        "Bakkeli SFO",
    ),
    (
        "Uteområdet vårt brukes altfor lite av de eldste elevene.",
        "Lærer, 7. trinn",
        G.STAFF,
        ST.SURVEY,
        (3,),
        "Nordby oppvekstsenter – skole",
    ),
    (
        "Vi vil gjerne ha med alle, men vet ikke hvordan vi når familiene som aldri kommer.",
        "Trener i håndball",
        G.VOLUNTEERS,
        ST.WORKSHOP,
        (1, 3),
        None,
    ),
    (
        "Kurset om faresignaler gjorde meg tryggere på hva jeg skal gjøre om jeg blir bekymret.",
        "Leder i speideren",
        G.VOLUNTEERS,
        ST.SURVEY,
        (2,),
        None,
    ),
    (
        "Vi trenger et lagerrom til utstyret vi låner ut.",
        "Frivillig i BUA",
        G.VOLUNTEERS,
        ST.HEARING,
        (3,),
        "Biblioteket og kulturhuset",
    ),
    (
        "De unge hjelpetrenerne er de beste til å få med nye barn.",
        "Trener i fotball",
        G.VOLUNTEERS,
        ST.WORKSHOP,
        (3, 0),
        None,
    ),
    (
        "Vi må tørre å velge få mål og følge dem opp over tid.",
        "Medlem av oppvekstutvalget",
        G.POLITICIANS,
        ST.HEARING,
        (0,),
        None,
    ),
    (
        "Tilstandsrapporten bør vise hva barna selv sier, ikke bare tall.",
        "Kommunestyrerepresentant",
        G.POLITICIANS,
        ST.WORKSHOP,
        (0,),
        None,
    ),
    (
        "Gratis møteplasser for ungdom må prioriteres i budsjettet.",
        "Representant i barn og unges kommunestyre",
        G.POLITICIANS,
        ST.HEARING,
        (3,),
        None,
    ),
    (
        "Vi må lytte mer til dem som kjenner tjenestene fra innsiden.",
        "Ordfører",
        G.POLITICIANS,
        ST.WORKSHOP,
        (0, 1),
        None,
    ),
    (
        "Vi ba om lengre friminutt, og det fikk vi.",
        "Gutt, 12 år",
        G.CHILDREN,
        ST.STUDENT_COUNCIL,
        (0, 3),
        "Bakkeli skole",
    ),
    (
        "Det er fint at vi får være med og bestemme hvilke aktiviteter SFO skal ha.",
        "Jente, 8 år",
        G.CHILDREN,
        ST.STUDENT_COUNCIL,
        (0, 1),
        "Bakkeli SFO",
    ),
]


@dataclass(frozen=True)
class DemoJourney:
    title: str
    description: str
    month: tuple[int, int]  # (school-year offset 0 = last year / 1 = this year, month)
    areas: tuple[int, ...]
    publishable: bool
    steps: tuple[tuple[str, str, str], ...]  # (service, what happened, assessment)
    findings: str


J = StepAssessment
DEMO_JOURNEYS: list[DemoJourney] = [
    DemoJourney(
        title="Fra bekymring i barnehagen til god skolestart",
        description=(
            "En familie med en gutt som strevde med språk og samspill, fulgt fra "
            "fireårskontrollen til første klasse."
        ),
        month=(0, 11),
        areas=(2, 0),
        publishable=True,
        steps=(
            (
                "Helsestasjonen",
                "På fireårskontrollen spurte helsesykepleieren om språket, og foreldrene fikk "
                "fortelle hva de hadde lagt merke til.",
                J.GOOD,
            ),
            (
                "Barnehagen",
                "Pedagogisk leder startet en stafettlogg etter samtale med foreldrene og fikk "
                "råd fra ressursteamet.",
                J.GOOD,
            ),
            (
                "PPT",
                "Henvisningen ble sendt i oktober, men familien ventet i nesten fire måneder "
                "på det første møtet.",
                J.WEAK,
            ),
            (
                "Overgangen fra barnehage til skole",
                "Overgangsmøtet ble holdt, men informasjonen nådde ikke kontaktlæreren før "
                "skolestart.",
                J.WEAK,
            ),
            (
                "Skolen",
                "Kontaktlæreren inviterte foreldrene til et møte i første skoleuke, og "
                "tiltakene fra barnehagen ble videreført.",
                J.GOOD,
            ),
        ),
        findings=(
            "Det som fungerte, hang på enkeltpersoner – tjenestene er sårbare for utskifting.\n"
            "Møtene bør samordnes, slik at familien slipper å fortelle det samme mange ganger.\n"
            "Ventetiden hos PPT gjør at tiltakene kommer sent i gang.\n"
            "Informasjonen i overgangen må følge barnet, ikke bare ligge i en perm."
        ),
    ),
    DemoJourney(
        title="En ungdom på vei tilbake til fellesskapet",
        description=(
            "En jente på 14 år som sluttet i idretten og trakk seg unna venner, og veien "
            "tilbake til et fritidstilbud."
        ),
        month=(1, 3),
        areas=(3, 1),
        publishable=False,
        steps=(
            (
                "Skolehelsetjenesten",
                "Jenta kom på drop-in hos helsesykepleieren og fortalte at hun var ensom.",
                J.GOOD,
            ),
            (
                "Foreldrene",
                "Foreldrene visste ikke hvilke tilbud som fantes, og fant lite på kommunens "
                "nettsider.",
                J.WEAK,
            ),
            (
                "Fritidskontakten",
                "Fritidskontakten ble med henne det første besøket på ungdomsklubben.",
                J.GOOD,
            ),
            (
                "Ungdomsklubben",
                "Hun ble godt tatt imot, men klubben var bare åpen to kvelder i uken.",
                J.NEUTRAL,
            ),
            (
                "Kulturskolen",
                "Hun fikk friplass i kulturskolen og begynte å spille i et band.",
                J.GOOD,
            ),
        ),
        findings=(
            "Drop-in hos helsesykepleieren senker terskelen for å be om hjelp.\n"
            "Familiene mangler oversikt over fritidstilbudene.\n"
            "En voksen som blir med den første gangen, gjør stor forskjell.\n"
            "Ungdomsklubben har for få åpne kvelder."
        ),
    ),
]


# --- Loading ------------------------------------------------------------------------------


@functools.cache
def _demo_password_hash() -> str:
    # Hashed once: a deliberately slow hash per new user would make the first load slow.
    return make_password(DEMO_PASSWORD)


def _upsert_user(demo: DemoUser, municipality: Municipality, units: dict[str, Unit]):
    User = get_user_model()
    user = User.objects.filter(username=demo.username).first()
    if user is None:
        user = User(username=demo.username, password=_demo_password_hash())
    user.first_name, user.last_name = demo.first_name, demo.last_name
    user.email = f"{demo.username}@solvik.example"
    user.is_active = True
    user.save()
    for role, unit_name in demo.grants:
        services.membership_grant(
            user=user,
            municipality=municipality,
            role=role,
            unit=units[unit_name] if unit_name else None,
            # The demo's own cast: trusted code, so no sector leader has to confirm it.
            confirmed=True,
        )
    return user


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> dict[str, int]:
    """Create or bring up to date the demo municipality. Running it again gives the same
    result: units and users are updated in place, and the municipality's plan content
    (quality plan, tools, unit plans, self-assessments, fortellinger) is deleted and made
    anew. Other municipalities are never touched."""
    # The demo is the one place that seeds every app; plans itself depends on none of them.
    from btitracker.demo import delete_bti_content, seed_bti
    from competence.demo import delete_competence_content, seed_competence
    from indicators.demo import delete_indicator_content, seed_indicators

    today = today or timezone.localdate()
    municipality, _created = Municipality.objects.get_or_create(
        number=DEMO_MUNICIPALITY["number"],
        defaults={"name": DEMO_MUNICIPALITY["name"]},
    )
    municipality.name = DEMO_MUNICIPALITY["name"]
    municipality.historic_numbers = DEMO_MUNICIPALITY["historic_numbers"]
    services.municipality_save(municipality=municipality)

    units: dict[str, Unit] = {}
    for name, kind, parent_name in DEMO_UNITS:
        unit = Unit.objects.filter(municipality=municipality, name=name).first() or Unit(
            municipality=municipality, name=name
        )
        unit.kind = kind
        unit.parent = units[parent_name] if parent_name else None
        unit.active = True
        units[name] = services.unit_save(unit=unit)

    users = {
        demo.username: _upsert_user(demo, municipality, units) for demo in DEMO_USERS + DEMO_STAFF
    }

    delete_bti_content(municipality)
    delete_competence_content(municipality)
    delete_indicator_content(municipality)
    _delete_plan_content(municipality)
    sector_leader = users["sektorleder"]
    plan = _seed_quality_plan(municipality, sector_leader, today)
    _seed_revision(plan, sector_leader)
    tools = _seed_quality_tools(municipality, plan)
    unit_plans = _seed_unit_plans(plan, units, today)
    assessments = _seed_self_assessments(tools, units, today)
    inputs, journeys = _seed_participation(municipality, plan, units, sector_leader, today)
    competence = seed_competence(municipality, plan, units, users, today)
    indicators = seed_indicators(municipality, plan, units, users, today)
    bti = seed_bti(municipality, units, users, today)
    return {
        "units": len(units),
        "users": len(DEMO_USERS),
        "staff": len(DEMO_STAFF),
        "quality_plans": QualityPlan.objects.filter(municipality=municipality).count(),
        "unit_plans": unit_plans,
        "measures": Measure.objects.filter(plan__unit__municipality=municipality).count(),
        "self_assessments": assessments,
        "inputs": inputs,
        "journeys": journeys,
        **competence,
        **indicators,
        **bti,
    }


def _delete_plan_content(municipality: Municipality) -> None:
    """Everything the demo makes below the organisation, in an order the PROTECT foreign
    keys allow. The plans' history goes with them."""
    SelfAssessment.objects.filter(unit__municipality=municipality).delete()
    UnitPlan.objects.filter(unit__municipality=municipality).delete()
    ParticipationInput.objects.filter(municipality=municipality).delete()
    UserJourney.objects.filter(municipality=municipality).delete()
    QualityTool.objects.filter(municipality=municipality).delete()
    # Status reports point at the plans (and published ones refuse to be deleted in use):
    # the demo's reset removes them with their files.
    from reports.services import status_reports_purge_for_demo

    status_reports_purge_for_demo(municipality)
    plans = QualityPlan.objects.filter(municipality=municipality)
    plans.update(previous=None)
    plans.delete()


def _school_year_day(today: datetime.date, offset: int, month: int, day: int) -> datetime.date:
    """A day in last school year (offset 0) or this one (offset 1), never after yesterday."""
    year = SchoolYear.current(today).previous()
    wanted = SchoolYear(year.start_year + offset).first_of(month).replace(day=day)
    return min(wanted, today - datetime.timedelta(days=1))


def _seed_quality_plan(municipality, sector_leader, today) -> QualityPlan:
    """Revision 1, adopted in June before last school year (plain ORM: the quality-plan
    services belong to the plan pages; the demo only needs the result and its history)."""
    start = SchoolYear.current(today).start_year - 1
    plan = QualityPlan(
        municipality=municipality,
        title=PLAN_TITLE,
        period_start=start,
        period_end=start + 3,
        purpose=PLAN_PURPOSE,
        introduction=PLAN_INTRODUCTION,
        revision=1,
        adopted_on=datetime.date(start, 6, 18),
        council_case=f"PS {start % 100:02d}/45",
    )
    plan.full_clean()
    plan.save()
    for order, (name, meaning) in enumerate(PLAN_VALUES, start=1):
        PlanValue.objects.create(plan=plan, order=order, name=name, meaning=meaning)
    for order, (kind, title, url, note) in enumerate(PLAN_ANCHORINGS, start=1):
        Anchoring.objects.create(plan=plan, kind=kind, order=order, title=title, url=url, note=note)
    for order, demo in enumerate(PLAN_AREAS, start=1):
        area = DevelopmentArea.objects.create(
            plan=plan,
            order=order,
            name=demo.name,
            description=demo.description,
            goal=demo.goal,
            meaning_for_individual=demo.meaning,
        )
        for position, (name, description) in enumerate(demo.components, start=1):
            CoreComponent.objects.create(
                area=area, order=position, name=name, description=description
            )
        for position, text in enumerate(demo.characteristics, start=1):
            PracticeCharacteristic.objects.create(area=area, order=position, text=text)
    for service_field, title, content, source in PLAN_QUALITY:
        QualityDescription.objects.create(
            plan=plan, service_field=service_field, title=title, content=content, source=source
        )
    record_change(
        plan=plan,
        actor=sector_leader,
        action="created",
        subject="Planen ble opprettet",
        fields=field_changes(QualityPlan, {}, snapshot(plan, ["title", "purpose"])),
    )
    record_change(
        plan=plan,
        actor=sector_leader,
        action="adopted",
        subject=f"Vedtatt i kommunestyret, sak {plan.council_case}",
        fields=field_changes(
            QualityPlan,
            {"adopted_on": "", "council_case": ""},
            snapshot(plan, ["adopted_on", "council_case"]),
        ),
    )
    return plan


def _seed_revision(plan: QualityPlan, sector_leader) -> QualityPlan:
    """Revision 2: a draft copy of revision 1 with a few changes, by hand (areas and
    components keep their keys, as the revision service does)."""
    draft = QualityPlan.objects.create(
        municipality=plan.municipality,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        purpose=plan.purpose,
        introduction=plan.introduction,
        revision=2,
        previous=plan,
    )
    for value in plan.values.all():
        PlanValue.objects.create(
            plan=draft, order=value.order, name=value.name, meaning=value.meaning
        )
    for anchoring in plan.anchorings.all():
        Anchoring.objects.create(
            plan=draft,
            kind=anchoring.kind,
            order=anchoring.order,
            title=anchoring.title,
            url=anchoring.url,
            note=anchoring.note,
        )
    for description in plan.quality_descriptions.all():
        QualityDescription.objects.create(
            plan=draft,
            service_field=description.service_field,
            title=description.title,
            content=description.content,
            source=description.source,
        )
    for area in plan.areas.prefetch_related("components", "characteristics"):
        copy = DevelopmentArea.objects.create(
            plan=draft,
            key=area.key,
            order=area.order,
            name=area.name,
            description=area.description,
            goal=area.goal,
            meaning_for_individual=area.meaning_for_individual,
        )
        for component in area.components.all():
            CoreComponent.objects.create(
                area=copy,
                key=component.key,
                order=component.order,
                name=component.name,
                description=component.description,
            )
        for characteristic in area.characteristics.all():
            PracticeCharacteristic.objects.create(
                area=copy, order=characteristic.order, text=characteristic.text
            )
    record_change(
        plan=draft,
        actor=sector_leader,
        action="created",
        subject=f"Ny revisjon opprettet fra revisjon {plan.revision}",
    )

    before = snapshot(draft, ["purpose"])
    draft.purpose = REVISION_2_PURPOSE
    draft.save()
    record_change(
        plan=draft,
        actor=sector_leader,
        action="changed",
        subject="Planen",
        fields=field_changes(QualityPlan, before, snapshot(draft, ["purpose"])),
    )
    area_name, goal = REVISION_2_GOAL
    area = draft.areas.get(name=area_name)
    before = snapshot(area, ["goal"])
    area.goal = goal
    area.save()
    record_change(
        plan=draft,
        actor=sector_leader,
        action="changed",
        subject=f"Utviklingsområde «{area.name}»",
        fields=field_changes(DevelopmentArea, before, snapshot(area, ["goal"])),
    )
    area_name, text = REVISION_2_CHARACTERISTIC
    area = draft.areas.get(name=area_name)
    characteristic = PracticeCharacteristic.objects.create(
        area=area, order=area.characteristics.count() + 1, text=text
    )
    record_change(
        plan=draft,
        actor=sector_leader,
        action="added",
        subject=f"Kjennetegn på god praksis «{text}»",
        fields=field_changes(PracticeCharacteristic, {}, snapshot(characteristic, ["text"])),
    )
    kind, title, url, note = REVISION_2_ANCHORING
    anchoring = Anchoring.objects.create(
        plan=draft,
        kind=kind,
        order=draft.anchorings.filter(kind=kind).count() + 1,
        title=title,
        url=url,
        note=note,
    )
    record_change(
        plan=draft,
        actor=sector_leader,
        action="added",
        subject=f"Forankring «{anchoring.title}»",
        fields=field_changes(Anchoring, {}, snapshot(anchoring, ["kind", "title"])),
    )
    return draft


def _seed_quality_tools(municipality, plan: QualityPlan) -> dict[str, QualityTool]:
    areas = list(plan.areas.prefetch_related("components"))
    tools = {}
    for service_field, (title, statements) in QUALITY_TOOLS.items():
        tool = QualityTool.objects.create(
            municipality=municipality,
            quality_plan=plan,
            service_field=service_field,
            title=title,
            introduction=(
                "Påstandene beskriver hvordan det ser ut når vi arbeider meget godt med "
                "utviklingsområdene. Bruk dem til refleksjon i personalet."
            ),
        )
        for area, texts in zip(areas, statements, strict=True):
            components = list(area.components.all())
            for order, text in enumerate(texts, start=1):
                ToolStatement.objects.create(
                    tool=tool,
                    area=area,
                    component=components[order - 1] if order <= len(components) else None,
                    order=order,
                    text=text,
                )
        tools[service_field] = tool
    return tools


@dataclass
class _PlanPeople:
    leader: Any
    staff: Any
    sector_leader: Any


def _people(units: dict[str, Unit]) -> dict[str, _PlanPeople]:
    """Each unit's leader and staff member, from the demo memberships."""
    sector_leader = get_user_model().objects.get(username="sektorleder")
    people: dict[str, _PlanPeople] = {}
    memberships = Membership.objects.filter(unit__in=units.values()).select_related("user")
    leaders = {m.unit_id: m.user for m in memberships if m.role == Role.UNIT_LEADER}
    staff = {m.unit_id: m.user for m in memberships if m.role == Role.STAFF}
    for name, unit in units.items():
        if unit.pk in leaders:
            people[name] = _PlanPeople(
                leader=leaders[unit.pk],
                staff=staff.get(unit.pk, leaders[unit.pk]),
                sector_leader=sector_leader,
            )
    return people


def _seed_unit_plans(quality_plan: QualityPlan, units: dict[str, Unit], today) -> int:
    """Two school years of unit plans, written through the unit-plan services so the
    history is the one a real year would leave."""
    people = _people(units)
    areas = list(quality_plan.areas.order_by("order"))
    components = {area.pk: list(area.components.order_by("order")) for area in areas}
    year = SchoolYear.current(today).start_year
    count = 0
    for index, spec in enumerate(DEMO_UNIT_PLANS):
        unit = units[spec.unit]
        group = UNIT_GROUP[unit.kind]
        who = people[spec.unit]
        context = _PlanContext(
            unit=unit,
            group=group,
            who=who,
            index=index,
            areas=[areas[i] for i in spec.areas],
            area_indexes=spec.areas,
            components=components,
            today=today,
        )
        _previous_year_plan(context, year - 1, spec.previous)
        count += 1
        if spec.current is not None:
            _current_year_plan(context, year, spec.current)
            count += 1
    return count


@dataclass
class _PlanContext:
    unit: Unit
    group: str
    who: _PlanPeople
    index: int
    areas: list[DevelopmentArea]
    area_indexes: tuple[int, int]
    components: dict[int, list[CoreComponent]]
    today: datetime.date

    def entry(self, area_position: int, entry: int):
        """The catalogue's measure: (area, component, text, target groups)."""
        area = self.areas[area_position]
        component_index, text, groups = MEASURES[self.group][self.area_indexes[area_position]][
            entry
        ]
        return area, self.components[area.pk][component_index], text, list(groups)

    def responsible(self, position: int):
        return self.who.leader if (self.index + position) % 2 == 0 else self.who.staff


def _add_measure(
    context: _PlanContext, plan: UnitPlan, position, entry, *, start, end, status, responsible=None
):
    _area, component, text, groups = context.entry(position, entry)
    return unit_plan_part_save(
        plan=plan,
        model=Measure,
        data={
            "description": text,
            "component": component,
            "responsible": responsible or context.responsible(position + entry),
            "start": start,
            "end": end,
            "status": status,
            "target_groups": groups,
        },
        actor=context.who.leader,
    )


def _add_participation(context: _PlanContext, plan: UnitPlan, phase: str, held_on) -> None:
    method, outcome = PARTICIPATION[phase]
    unit_plan_part_save(
        plan=plan,
        model=ParticipationProcess,
        data={
            "phase": phase,
            "participants": PARTICIPANTS[context.group],
            "method": method,
            "outcome": outcome,
            "held_on": held_on,
        },
        actor=context.who.leader,
    )


def _start_plan(context: _PlanContext, year: int) -> UnitPlan:
    plan = unit_plan_create(
        unit=context.unit, school_year=year, actor=context.who.leader, start_from_previous=True
    )
    area_names = " og ".join(area.name.lower() for area in context.areas)
    wanted_components = {
        context.entry(position, entry)[1]
        for position, entry in ((0, 0), (0, 1), (0, 2), (1, 0), (1, 1))
    }
    return unit_plan_update(
        plan=plan,
        data={
            "summary": (
                f"I {SchoolYear(year).label} arbeider {context.unit.name} særlig med {area_names}."
            ),
            "areas": sorted({*plan.areas.all(), *context.areas}, key=lambda a: a.order),
            "components": sorted({*plan.components.all(), *wanted_components}, key=lambda c: c.pk),
        },
        expected_version=None,
        actor=context.who.leader,
    )


def _previous_year_plan(context: _PlanContext, year: int, final: str) -> UnitPlan:
    leader, sector_leader, k = context.who.leader, context.who.sector_leader, context.index
    plan = _start_plan(context, year)
    for area in context.areas:
        unit_plan_part_save(
            plan=plan,
            model=UnitGoal,
            data={"area": area, "text": GOALS[context.group][area.order - 1]},
            actor=leader,
        )
    measures = [
        _add_measure(
            context,
            plan,
            position,
            entry,
            start=datetime.date(year, 8, 20) + datetime.timedelta(days=14 * n),
            end=datetime.date(year + 1, 6, 12) - datetime.timedelta(days=21 * n),
            status=MeasureStatus.PLANNED,
        )
        for n, (position, entry) in enumerate(((0, 0), (0, 1), (1, 0)))
    ]
    _add_participation(context, plan, Phase.PLANNING, datetime.date(year, 6, 5))
    unit_plan_submit(plan=plan, actor=leader)
    unit_plan_approve(plan=plan, actor=sector_leader, comment=APPROVAL_COMMENT if k % 2 else "")
    _add_participation(context, plan, Phase.CARRYING_OUT, datetime.date(year + 1, 1, 15))
    if final == UnitPlanStatus.APPROVED:
        # The year was never closed: work still open, now past its end date.
        follow_up = [MeasureStatus.IN_PROGRESS, MeasureStatus.PLANNED, MeasureStatus.DONE]
    else:
        follow_up = [
            MeasureStatus.DONE,
            MeasureStatus.POSTPONED if k % 2 == 0 else MeasureStatus.DONE,
            MeasureStatus.CANCELLED if k % 3 == 0 else MeasureStatus.DONE,
        ]
    for measure, status in zip(measures, follow_up, strict=True):
        if status != MeasureStatus.PLANNED:
            unit_plan_part_save(
                plan=plan,
                model=Measure,
                instance=measure,
                data={"status": status, "evaluation": MEASURE_EVALUATIONS[status]},
                actor=leader,
            )
    if final == UnitPlanStatus.EVALUATED:
        for n, goal in enumerate(plan.goals.order_by("pk")):
            attainment = (Attainment.MET, Attainment.PARTLY, Attainment.NOT_MET)[(k + n) % 3]
            unit_plan_part_save(
                plan=plan,
                model=UnitGoal,
                instance=goal,
                data={"attainment": attainment, "evaluation": GOAL_EVALUATIONS[attainment]},
                actor=leader,
            )
        _add_participation(context, plan, Phase.EVALUATING, datetime.date(year + 1, 6, 10))
        unit_plan_evaluate(plan=plan, actor=leader, evaluation=YEAR_EVALUATION)
    return plan


def _current_year_plan(context: _PlanContext, year: int, state: str) -> UnitPlan:
    """This year's plan in the state the spec asks for, carried over from last year's."""
    leader, sector_leader, k, today = (
        context.who.leader,
        context.who.sector_leader,
        context.index,
        context.today,
    )
    plan = _start_plan(context, year)
    carried = list(plan.measures.order_by("pk"))
    later = max(datetime.date(year + 1, 6, 15), today + datetime.timedelta(days=30))
    # Every other unit has a measure that should have been finished by now.
    if k % 2 == 0:
        second_end = today - datetime.timedelta(days=7 + k)
    else:
        second_end = max(datetime.date(year + 1, 3, 31), today + datetime.timedelta(days=14))
    first = _add_measure(
        context,
        plan,
        0,
        2,
        start=datetime.date(year, 8, 20),
        end=later,
        status=MeasureStatus.IN_PROGRESS if k % 3 == 0 else MeasureStatus.PLANNED,
    )
    second = _add_measure(
        context,
        plan,
        1,
        1,
        start=second_end - datetime.timedelta(days=45),
        end=second_end,
        status=MeasureStatus.PLANNED,
        # Staff own the measures that run late, so their weekly reminders have content.
        responsible=context.who.staff,
    )
    _add_participation(context, plan, Phase.PLANNING, _school_year_day(today, 0, 6, 10))
    if state == UnitPlanStatus.DRAFT:
        return plan
    unit_plan_submit(plan=plan, actor=leader)
    if state == UnitPlanStatus.SUBMITTED:
        return plan
    if state == UnitPlanStatus.RETURNED:
        return unit_plan_return(plan=plan, actor=sector_leader, comment=RETURN_COMMENT)
    unit_plan_approve(plan=plan, actor=sector_leader, comment=APPROVAL_COMMENT)
    follow_up = [
        (first, MeasureStatus.IN_PROGRESS),
        (second, MeasureStatus.IN_PROGRESS if k % 2 == 0 else MeasureStatus.DONE),
    ]
    carried_states = [MeasureStatus.POSTPONED, MeasureStatus.CANCELLED, MeasureStatus.IN_PROGRESS]
    follow_up += [(measure, carried_states[(k + n) % 3]) for n, measure in enumerate(carried)]
    for measure, status in follow_up:
        unit_plan_part_save(
            plan=plan,
            model=Measure,
            instance=measure,
            data={"status": status, "evaluation": MEASURE_EVALUATIONS[status]},
            actor=leader,
        )
    _add_participation(context, plan, Phase.CARRYING_OUT, _school_year_day(today, 1, 10, 15))
    return plan


def _seed_self_assessments(tools: dict[str, QualityTool], units: dict[str, Unit], today) -> int:
    """Completed self-assessments with deterministic, varying scores: each unit's level,
    a small step up or down between rounds, and a spread across the statements."""
    people = _people(units)
    count = 0
    for k, (unit_name, base, rounds) in enumerate(DEMO_ASSESSMENTS):
        unit = units[unit_name]
        tool = tools[ServiceField.for_unit_kind(unit.kind)]
        statements = list(tool.statements.select_related("area").order_by("area__order", "order"))
        for r, (offset, month) in enumerate(rounds):
            assessment = SelfAssessment.objects.create(
                unit=unit,
                tool=tool,
                conducted_on=_school_year_day(today, offset, month, 10 + k),
                participants="Hele personalet",
                status=AssessmentStatus.COMPLETED,
                created_by=people[unit_name].leader,
            )
            step = (0, 1, 1)[r] if k % 3 else (0, 0, -1)[r]
            AssessmentAnswer.objects.bulk_create(
                AssessmentAnswer(
                    assessment=assessment,
                    statement=statement,
                    score=max(
                        1,
                        min(
                            4,
                            base
                            + step
                            + (s * 7 + k * 3) % 3
                            - 1
                            + (AREA_DRIFT[statement.area.order - 1] if offset else 0),
                        ),
                    ),
                    reflection=REFLECTIONS[(s + r + k) % len(REFLECTIONS)] if s % 3 == 0 else "",
                )
                for s, statement in enumerate(statements)
            )
            count += 1
    return count


def _seed_participation(municipality, plan, units, sector_leader, today) -> tuple[int, int]:
    areas = list(plan.areas.order_by("order").prefetch_related("components"))
    first_day = _school_year_day(today, 0, 9, 5)
    for i, (quote, descriptor, group, setting, area_indexes, unit_name) in enumerate(DEMO_INPUTS):
        item = ParticipationInput.objects.create(
            municipality=municipality,
            quote=quote,
            descriptor=descriptor,
            group=group,
            setting=setting,
            given_on=min(
                first_day + datetime.timedelta(days=11 * i),
                today - datetime.timedelta(days=1),
            ),
            unit=units[unit_name] if unit_name else None,
            # About a third were given without consent to publish them.
            publishable=i % 3 != 2,
            created_by=sector_leader,
        )
        linked = [areas[n] for n in area_indexes]
        item.areas.set(linked)
        if i % 4 == 0:
            item.components.set([linked[0].components.all()[0]])
    for demo in DEMO_JOURNEYS:
        journey = UserJourney.objects.create(
            municipality=municipality,
            title=demo.title,
            description=demo.description,
            carried_out_on=_school_year_day(today, demo.month[0], demo.month[1], 20),
            findings=demo.findings,
            publishable=demo.publishable,
        )
        journey.areas.set([areas[n] for n in demo.areas])
        for order, (service, what, assessment) in enumerate(demo.steps, start=1):
            JourneyStep.objects.create(
                journey=journey,
                order=order,
                service=service,
                what_happened=what,
                assessment=assessment,
            )
    return len(DEMO_INPUTS), len(DEMO_JOURNEYS)
