"""The demo municipality's tellinger: a local, clearly fictional source with 27 indicators,
six or seven linked to each of the demo plan's development areas, shaped after what
Ungdata, Udir, SSB/KOSTRA and FHI publish for a municipality's childhood sector. Solvik's
figures over six periods stand beside the country's, and for some a county's or a KOSTRA
group's; two schools have their own figures; a few figures are suppressed; the sector
leader has set targets and written commentary. There are this many so that the full
status report for the last school year with figures, made from the demo alone, has the
size issue 7 asks for (about 40 pages, 30 or more charts: one per indicator and one per
area), and ``bench/report`` measures that report.

Every number here is made up for the demo (the source and every description say so); the
shapes follow what the real sources publish. The figures are chosen so that every kind of
finding appears: better and worse than the country, improving and worsening, a target met,
a target missed, a later target not yet reached and one already reached, and two
indicators with no direction that are not judged.
Solvik changed number in 2024 (9801 → 9901), so its older figures stand under the old
number and the pages join them into one line.

Observations are public statistics shared by every municipality: the demo only writes its
own indicators' figures and never deletes anyone else's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from indicators.models import (
    Commentary,
    ImportBatch,
    ImportMapping,
    ImportStatus,
    Indicator,
    Observation,
    ObservationStatus,
    Place,
    PlaceLevel,
    Source,
    Target,
)
from indicators.parsing.base import COUNTRY_CODE, school_year_period, year_period
from plans.models import (
    CoreComponent,
    DevelopmentArea,
    Municipality,
    QualityPlan,
    ServiceField,
    Unit,
)
from plans.schoolyear import SchoolYear

SOURCE_CODE = "lokal-demo"
SOURCE_NAME = "Lokal kartlegging (demo)"
BATCH_FILE = "solvik-demo-tellinger.csv"
NUMBER_CHANGE_YEAR = 2024  # Solvik's old number 9801 was used until 2023
OLD_NUMBER = "9801"
COUNTY_CODE = "99"
KOSTRA_CODE = "EKG99"
BARNESKOLE = "Solvik barneskole"
UNGDOMSSKOLE = "Solvik ungdomsskole"

S = ":"  # suppressed (SSB's symbol)
U = "*"  # suppressed (Udir's symbol)

Values = tuple[str | float, ...]


@dataclass(frozen=True)
class DemoIndicator:
    code: str
    name: str
    unit_of_measure: str
    higher_is_better: bool | None
    service_field: str
    area: str  # the demo plan's development area
    school_years: bool
    description: str
    solvik: Values
    country: Values
    decimals: int = 1
    county: Values = ()
    kostra: Values = ()
    units: tuple[tuple[str, Values], ...] = ()
    # (years after the last period: 0 = the last period's year, 1 = the year after, …)
    targets: tuple[tuple[int, str], ...] = ()
    commentary: str = ""


# The five the demo began with come first (the unit's own target in ``seed_indicators`` is
# for the first, mobbing); the others follow by development area.
INDICATORS = (
    DemoIndicator(
        code="demo-mobbing",
        name="Elever som opplever mobbing (demo)",
        unit_of_measure="prosent",
        higher_is_better=False,
        service_field=ServiceField.SCHOOL,
        area="Inkluderende miljø",
        school_years=True,
        description=(
            "Andel elever på 5.–10. trinn som svarer at de blir mobbet to–tre ganger i "
            "måneden eller oftere. Fiktive tall for demokommunen."
        ),
        solvik=(7.8, 7.1, 6.5, 6.9, 5.8, 5.2),
        country=(6.5, 6.6, 6.9, 7.0, 7.2, 7.3),
        county=(6.9, 6.8, 7.0, 7.1, 7.0, 6.9),
        units=(
            (BARNESKOLE, (6.1, 5.6, 5.0, 5.4, 4.6, 4.1)),
            (UNGDOMSSKOLE, (9.8, 9.0, U, 8.7, 7.4, 6.8)),
        ),
        targets=((0, "5.0"),),
        commentary=(
            "Mobbingen går ned, og vi ligger nå under landet. Arbeidet med trygge "
            "klassemiljøer og de voksnes ansvar i friminuttene ser ut til å virke, men vi "
            "har ikke nådd målet på 5 prosent. Ungdomsskolen følges opp særskilt."
        ),
    ),
    DemoIndicator(
        code="demo-trivsel",
        name="Trivsel på skolen (demo)",
        unit_of_measure="poeng",
        higher_is_better=True,
        service_field=ServiceField.SCHOOL,
        area="Inkluderende miljø",
        school_years=True,
        description=(
            "Gjennomsnitt på en skala fra 1 til 5 for spørsmålene om trivsel i "
            "elevundersøkelsen, 7. og 10. trinn. Fiktive tall for demokommunen."
        ),
        solvik=(4.3, 4.3, 4.2, 4.2, 4.1, 4.0),
        country=(4.2, 4.2, 4.2, 4.2, 4.2, 4.2),
        units=(
            (BARNESKOLE, (4.5, 4.4, 4.4, 4.3, 4.3, 4.2)),
            (UNGDOMSSKOLE, (4.0, 4.1, 3.9, 4.0, 3.9, 3.8)),
        ),
        targets=((0, "4.3"),),
    ),
    DemoIndicator(
        code="demo-grunnskolepoeng",
        name="Grunnskolepoeng (demo)",
        unit_of_measure="poeng",
        higher_is_better=True,
        service_field=ServiceField.SCHOOL,
        area="Lærende organisasjon",
        school_years=True,
        description=(
            "Gjennomsnittet av elevenes standpunkt- og eksamenskarakterer etter 10. trinn, "
            "ganget med ti. Fiktive tall for demokommunen."
        ),
        solvik=(40.8, 41.2, 41.0, 41.9, 42.4, 42.9),
        country=(41.9, 42.1, 42.3, 42.7, 43.1, 43.3),
        kostra=(40.9, 41.3, 41.5, 41.8, 42.2, 42.6),
        units=((UNGDOMSSKOLE, (40.8, 41.2, 41.0, 41.9, 42.4, 42.9)),),
        targets=((0, "42.5"),),
        commentary=(
            "Grunnskolepoengene stiger jevnt og målet for året er nådd, men vi ligger "
            "fortsatt under landssnittet."
        ),
    ),
    DemoIndicator(
        code="demo-kulturskole",
        name="Andel barn 6–15 år i kulturskolen (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.CULTURE,
        area="Helsefremmende møteplasser",
        school_years=False,
        description=(
            "Elever i kulturskolen som andel av barn 6–15 år. Ett år er skjult fordi "
            "tallgrunnlaget var for lite. Fiktive tall for demokommunen."
        ),
        solvik=(14.2, 15.0, S, 16.1, 17.3, 18.0),
        country=(12.1, 12.4, 12.0, 12.3, 12.6, 12.8),
        county=(13.0, 13.2, 12.9, 13.4, 13.6, 13.9),
        kostra=(13.5, 13.9, 13.1, 13.8, 14.2, 14.6),
        targets=((1, "20.0"),),
    ),
    DemoIndicator(
        code="demo-barnehage",
        name="Barn 1–5 år i barnehage (demo)",
        unit_of_measure="prosent",
        higher_is_better=None,
        service_field=ServiceField.KINDERGARTEN,
        area="Tidlig innsatskompetanse",
        school_years=False,
        description=(
            "Andel barn 1–5 år med barnehageplass. Verken høyere eller lavere er bedre i "
            "seg selv, så tallet gir ingen funn. Fiktive tall for demokommunen."
        ),
        solvik=(91.5, 92.0, 92.8, 93.1, 93.4, 93.0),
        country=(92.8, 93.0, 93.4, 93.4, 93.6, 93.7),
    ),
    # --- Lærende organisasjon: learning results and the staff's qualifications ----------
    DemoIndicator(
        code="demo-np-lesing-5",
        name="Nasjonale prøver i lesing, 5. trinn (demo)",
        unit_of_measure="skalapoeng",
        higher_is_better=True,
        service_field=ServiceField.SCHOOL,
        area="Lærende organisasjon",
        school_years=True,
        description=(
            "Gjennomsnittlig skalapoeng på de nasjonale prøvene i lesing på 5. trinn. "
            "Landssnittet er satt til 50 poeng. Fiktive tall for demokommunen."
        ),
        # Udir's scale: whole points, the country fixed at 50.
        decimals=0,
        solvik=(48, 49, 48, 49, 50, 51),
        country=(50, 50, 50, 50, 50, 50),
        county=(50, 50, 49, 50, 50, 50),
        units=((BARNESKOLE, (49, 50, 48, 50, 51, 52)),),
        targets=((0, "50"),),
        commentary=(
            "Lesesatsingen på mellomtrinnet gir resultater: for første gang ligger vi over "
            "landssnittet, og målet for året er nådd."
        ),
    ),
    DemoIndicator(
        code="demo-np-regning-5",
        name="Nasjonale prøver i regning, 5. trinn (demo)",
        unit_of_measure="skalapoeng",
        higher_is_better=True,
        service_field=ServiceField.SCHOOL,
        area="Lærende organisasjon",
        school_years=True,
        description=(
            "Gjennomsnittlig skalapoeng på de nasjonale prøvene i regning på 5. trinn. "
            "Landssnittet er satt til 50 poeng. Fiktive tall for demokommunen."
        ),
        decimals=0,
        solvik=(50, 49, 49, 48, 48, 47),
        country=(50, 50, 50, 50, 50, 50),
        county=(50, 50, 50, 49, 50, 50),
        units=((BARNESKOLE, (51, 50, 50, 49, 49, 48)),),
        targets=((0, "50"),),
        commentary=(
            "Regneresultatene på 5. trinn har gått ned i flere år. Skolene og PPT ser nærmere "
            "på begynneropplæringen i matematikk, og målet står ved lag."
        ),
    ),
    DemoIndicator(
        code="demo-laererkompetanse",
        name="Lærere som oppfyller kompetansekravene i norsk, matematikk og engelsk (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.SCHOOL,
        area="Lærende organisasjon",
        school_years=True,
        description=(
            "Andel av lærerne som underviser i norsk, matematikk eller engelsk, som har "
            "studiepoengene kravet gir. Fiktive tall for demokommunen."
        ),
        solvik=(78.4, 80.1, 82.6, 85.0, 87.9, 90.2),
        country=(84.1, 85.6, 86.8, 87.9, 88.8, 89.5),
        kostra=(81.0, 82.9, 84.5, 86.1, 87.4, 88.6),
        units=(
            (BARNESKOLE, (82.1, 83.3, 85.0, 86.4, 89.2, 90.5)),
            (UNGDOMSSKOLE, (74.0, 76.5, 80.0, 83.3, 86.7, 90.0)),
        ),
        # A target two years on: the videreutdanning plan runs until then.
        targets=((2, "95.0"),),
    ),
    DemoIndicator(
        code="demo-barnehagelaerere",
        name="Barnehagelærere i grunnbemanningen (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.KINDERGARTEN,
        area="Lærende organisasjon",
        school_years=False,
        description=(
            "Ansatte med barnehagelærerutdanning som andel av alle ansatte i "
            "grunnbemanningen i barnehagene. Fiktive tall for demokommunen."
        ),
        solvik=(39.8, 41.2, 42.5, 43.1, 44.6, 45.3),
        country=(42.6, 43.9, 44.8, 45.7, 46.5, 47.2),
        county=(41.9, 43.0, 44.1, 44.9, 45.8, 46.4),
        kostra=(40.5, 41.7, 42.9, 43.8, 44.9, 45.6),
        targets=((0, "45.0"),),
    ),
    DemoIndicator(
        code="demo-pedagognorm",
        name="Barnehager som oppfyller pedagognormen (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.KINDERGARTEN,
        area="Lærende organisasjon",
        school_years=False,
        description=(
            "Andel av de kommunale barnehagene som oppfyller pedagognormen uten dispensasjon. "
            "Med seks barnehager flytter én barnehage tallet med 17 prosentpoeng. Fiktive "
            "tall for demokommunen."
        ),
        solvik=(66.7, 83.3, 83.3, 100.0, 83.3, 83.3),
        country=(85.4, 87.9, 89.2, 90.6, 91.3, 91.8),
        targets=((0, "100.0"),),
        commentary=(
            "Én barnehage sto uten barnehagelærer i en avdeling store deler av året etter en "
            "langvarig vakanse. Stillingen er nå besatt."
        ),
    ),
    DemoIndicator(
        code="demo-vurdering-7",
        name="Vurdering for læring, 7. trinn (demo)",
        unit_of_measure="poeng",
        higher_is_better=True,
        service_field=ServiceField.SCHOOL,
        area="Lærende organisasjon",
        school_years=True,
        description=(
            "Gjennomsnitt på en skala fra 1 til 5 for spørsmålene om vurdering for læring i "
            "elevundersøkelsen, 7. trinn. Fiktive tall for demokommunen."
        ),
        solvik=(3.6, 3.7, 3.7, 3.8, 3.8, 3.9),
        country=(3.7, 3.7, 3.7, 3.7, 3.8, 3.8),
        units=((BARNESKOLE, (3.7, 3.8, 3.7, 3.9, 3.9, 4.0)),),
    ),
    # --- Inkluderende miljø: belonging, friends, and what keeps children outside -----------
    DemoIndicator(
        code="demo-trives-10",
        name="Elever på 10. trinn som trives på skolen (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.SCHOOL,
        area="Inkluderende miljø",
        school_years=True,
        description=(
            "Andel elever på 10. trinn som svarer at de trives godt eller svært godt på "
            "skolen i elevundersøkelsen. Fiktive tall for demokommunen."
        ),
        solvik=(86.2, 85.0, 84.1, 83.7, 82.0, 80.4),
        country=(85.1, 84.6, 84.0, 84.2, 84.5, 84.3),
        county=(84.8, 84.4, 84.0, 83.9, 84.2, 84.0),
        # Solvik has one lower secondary school: its figures are the municipality's.
        units=((UNGDOMSSKOLE, (86.2, 85.0, 84.1, 83.7, 82.0, 80.4)),),
        targets=((0, "85.0"),),
        commentary=(
            "Trivselen på 10. trinn har falt tre år på rad og ligger nå under landet. "
            "Ungdomsskolen har startet klassemøter og faste samtaler med kontaktlærer."
        ),
    ),
    DemoIndicator(
        code="demo-ensomhet",
        name="Ungdom som er mye plaget av ensomhet (demo)",
        unit_of_measure="prosent",
        higher_is_better=False,
        service_field=ServiceField.PREVENTIVE,
        area="Inkluderende miljø",
        school_years=False,
        description=(
            "Andel elever på ungdomstrinnet som har vært ganske mye eller veldig mye plaget "
            "av ensomhet den siste uka, spurt som i Ungdata. Fiktive tall for demokommunen."
        ),
        solvik=(15.1, 18.4, 20.2, 19.5, 18.0, 16.9),
        country=(16.0, 19.8, 21.7, 21.2, 20.6, 20.1),
        county=(15.7, 19.0, 21.0, 20.8, 20.0, 19.6),
        targets=((1, "15.0"),),
    ),
    DemoIndicator(
        code="demo-stotte-laerere-10",
        name="Støtte fra lærerne, 10. trinn (demo)",
        unit_of_measure="poeng",
        higher_is_better=True,
        service_field=ServiceField.SCHOOL,
        area="Inkluderende miljø",
        school_years=True,
        description=(
            "Gjennomsnitt på en skala fra 1 til 5 for spørsmålene om støtte fra lærerne i "
            "elevundersøkelsen, 10. trinn. Fiktive tall for demokommunen."
        ),
        solvik=(3.8, 3.9, 3.9, 4.0, 4.1, 4.1),
        country=(4.0, 4.0, 4.0, 4.0, 4.0, 4.0),
        units=((UNGDOMSSKOLE, (3.8, 3.9, 3.9, 4.0, 4.1, 4.1)),),
    ),
    DemoIndicator(
        code="demo-fortrolig-venn",
        name="Ungdom som har minst én fortrolig venn (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.PREVENTIVE,
        area="Inkluderende miljø",
        school_years=False,
        description=(
            "Andel elever på ungdomstrinnet som har minst én venn de kan stole på og "
            "fortelle alt til, spurt som i Ungdata. Fiktive tall for demokommunen."
        ),
        solvik=(89.0, 88.2, 87.5, 88.1, 88.9, 89.4),
        country=(88.5, 87.9, 87.0, 87.2, 87.6, 87.9),
        targets=((0, "88.0"),),
    ),
    DemoIndicator(
        code="demo-lavinntekt",
        name="Barn i husholdninger med vedvarende lavinntekt (demo)",
        unit_of_measure="prosent",
        higher_is_better=False,
        service_field=ServiceField.ADMINISTRATION,
        area="Inkluderende miljø",
        school_years=False,
        description=(
            "Andel barn 0–17 år som bor i husholdninger med vedvarende lavinntekt, som i "
            "folkehelseprofilen. Ikke et mål på tjenestene, men på hvor mange kostnader kan "
            "holde utenfor. Fiktive tall for demokommunen."
        ),
        solvik=(9.1, 9.4, 9.8, 10.3, 10.6, 10.9),
        country=(11.0, 11.3, 11.5, 11.6, 11.7, 11.9),
        county=(10.2, 10.5, 10.8, 11.0, 11.3, 11.5),
    ),
    # --- Tidlig innsatskompetanse: help early, from the health station to the school ------
    DemoIndicator(
        code="demo-hjemmebesok",
        name="Nyfødte med hjemmebesøk innen to uker etter hjemkomst (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.PREVENTIVE,
        area="Tidlig innsatskompetanse",
        school_years=False,
        description=(
            "Andel nyfødte som fikk hjemmebesøk av helsesykepleier innen to uker etter at de "
            "kom hjem, som i KOSTRA. Fiktive tall for demokommunen."
        ),
        solvik=(82.4, 85.1, 79.3, 86.0, 88.2, 91.5),
        country=(79.8, 76.5, 78.9, 80.7, 81.9, 82.6),
        kostra=(80.6, 78.0, 79.4, 81.5, 82.4, 83.8),
        targets=((0, "90.0"),),
        commentary=(
            "Helsestasjonen avtaler hjemmebesøket allerede på barselavdelingen, og nå får "
            "ni av ti besøk innen to uker."
        ),
    ),
    DemoIndicator(
        code="demo-barnevern-frist",
        name="Barnevernsundersøkelser avsluttet innen tre måneder (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.PREVENTIVE,
        area="Tidlig innsatskompetanse",
        school_years=False,
        description=(
            "Andel av barnevernets undersøkelser som ble avsluttet innen fristen på tre "
            "måneder, som i KOSTRA. Ett år er skjult fordi det var for få undersøkelser. "
            "Fiktive tall for demokommunen."
        ),
        solvik=(87.5, 78.9, S, 74.1, 80.6, 84.4),
        country=(80.9, 78.6, 77.2, 76.0, 77.8, 79.3),
        kostra=(82.0, 79.5, 77.8, 76.9, 78.4, 80.2),
        targets=((0, "90.0"), (1, "95.0")),
        commentary=(
            "Flere undersøkelser avsluttes innen fristen etter at barneverntjenesten fikk én "
            "fast stilling til, men vi har ikke nådd målet på 90 prosent."
        ),
    ),
    DemoIndicator(
        code="demo-spesialundervisning",
        name="Elever med spesialundervisning (demo)",
        unit_of_measure="prosent",
        higher_is_better=None,
        service_field=ServiceField.SCHOOL,
        area="Tidlig innsatskompetanse",
        school_years=True,
        description=(
            "Andel elever i grunnskolen med enkeltvedtak om spesialundervisning. Verken "
            "høyere eller lavere er bedre i seg selv – tallet må leses sammen med hvor godt "
            "den vanlige opplæringen tilpasses – så det gir ingen funn. Fiktive tall for "
            "demokommunen."
        ),
        solvik=(8.4, 8.6, 8.1, 7.6, 7.3, 7.0),
        country=(7.8, 7.9, 8.0, 8.2, 8.4, 8.6),
        units=(
            (BARNESKOLE, (7.2, 7.5, 6.9, 6.4, 6.0, 5.8)),
            (UNGDOMSSKOLE, (10.5, 10.6, 10.2, 9.7, 9.5, 9.1)),
        ),
    ),
    DemoIndicator(
        code="demo-kartlegging-lesing-2",
        name="Elever under bekymringsgrensen i lesing, 2. trinn (demo)",
        unit_of_measure="prosent",
        higher_is_better=False,
        service_field=ServiceField.SCHOOL,
        area="Tidlig innsatskompetanse",
        school_years=True,
        description=(
            "Andel elever på 2. trinn under bekymringsgrensen på kartleggingsprøven i "
            "lesing. Fiktive tall for demokommunen."
        ),
        solvik=(21.5, 19.8, 20.6, 18.2, 17.1, 15.9),
        country=(20.1, 20.4, 20.0, 19.8, 19.9, 19.6),
        units=((BARNESKOLE, (19.0, 17.5, 18.8, 16.0, 15.2, 14.1)),),
    ),
    DemoIndicator(
        code="demo-vaksine-mmr",
        name="Vaksinert mot meslinger, kusma og røde hunder, 9-åringer (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.PREVENTIVE,
        area="Tidlig innsatskompetanse",
        school_years=False,
        description=(
            "Andel 9-åringer som er fullvaksinert mot meslinger, kusma og røde hunder, som i "
            "Vaksinasjonsregisteret. Fiktive tall for demokommunen."
        ),
        solvik=(96.8, 96.1, 95.4, 94.9, 94.0, 93.6),
        country=(96.4, 96.5, 96.6, 96.6, 96.7, 96.7),
        county=(96.6, 96.4, 96.5, 96.3, 96.5, 96.4),
        # 95 per cent is what keeps measles from spreading.
        targets=((0, "95.0"),),
        commentary=(
            "Dekningen er under 95 prosent, som trengs for å hindre smitte. "
            "Skolehelsetjenesten går gjennom listene og tilbyr vaksinen på nytt."
        ),
    ),
    DemoIndicator(
        code="demo-helsesykepleiere",
        name="Helsesykepleierårsverk per 10 000 innbyggere 0–20 år (demo)",
        unit_of_measure="årsverk",
        higher_is_better=True,
        service_field=ServiceField.PREVENTIVE,
        area="Tidlig innsatskompetanse",
        school_years=False,
        description=(
            "Årsverk av helsesykepleiere i helsestasjons- og skolehelsetjenesten per "
            "10 000 innbyggere 0–20 år, som i KOSTRA. Fiktive tall for demokommunen."
        ),
        solvik=(38.2, 39.0, 41.5, 44.8, 47.3, 49.6),
        country=(41.0, 42.3, 43.8, 45.5, 46.9, 48.0),
        kostra=(39.5, 40.8, 42.4, 44.0, 45.6, 46.9),
        # Next year's target, already reached: the new positions were filled early.
        targets=((1, "48.0"),),
    ),
    # --- Helsefremmende møteplasser: activity, screens, weight and leisure ----------------
    DemoIndicator(
        code="demo-fysisk-aktiv",
        name="Ungdom som er fysisk aktive minst tre ganger i uka (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.CULTURE,
        area="Helsefremmende møteplasser",
        school_years=False,
        description=(
            "Andel elever på ungdomstrinnet som trener eller er fysisk aktive så mye at de "
            "blir andpustne eller svette, minst tre ganger i uka, spurt som i Ungdata. "
            "Fiktive tall for demokommunen."
        ),
        solvik=(63.0, 61.2, 60.5, 59.1, 58.4, 56.9),
        country=(62.1, 61.0, 60.2, 59.8, 59.5, 59.1),
        county=(61.5, 60.6, 60.0, 59.4, 59.0, 58.7),
        targets=((1, "60.0"),),
        commentary=(
            "Færre unge er fysisk aktive, og nedgangen er størst blant jentene. Kulturskolen "
            "og idrettslagene prøver ut lavterskeltilbud uten krav om å konkurrere."
        ),
    ),
    DemoIndicator(
        code="demo-skjermtid",
        name="Ungdom med mer enn fire timer skjermtid om dagen (demo)",
        unit_of_measure="prosent",
        higher_is_better=False,
        service_field=ServiceField.PREVENTIVE,
        area="Helsefremmende møteplasser",
        school_years=False,
        description=(
            "Andel elever på ungdomstrinnet som bruker mer enn fire timer om dagen foran en "
            "skjerm utenom skolen, spurt som i Ungdata. Fiktive tall for demokommunen."
        ),
        solvik=(34.8, 38.5, 41.2, 40.1, 38.6, 37.0),
        country=(36.9, 41.0, 43.8, 44.1, 43.5, 43.0),
        targets=((0, "35.0"),),
    ),
    DemoIndicator(
        code="demo-overvekt-8",
        name="Elever på 8. trinn med overvekt eller fedme (demo)",
        unit_of_measure="prosent",
        higher_is_better=False,
        service_field=ServiceField.PREVENTIVE,
        area="Helsefremmende møteplasser",
        school_years=True,
        description=(
            "Andel elever på 8. trinn med overvekt eller fedme ved skolehelsetjenestens "
            "måling (KMI etter alder og kjønn). Ett år er skjult fordi for få ble målt. "
            "Fiktive tall for demokommunen."
        ),
        solvik=(19.6, S, 20.8, 21.5, 21.1, 22.4),
        country=(18.4, 18.9, 19.3, 19.6, 19.9, 20.2),
        county=(19.0, 19.4, 19.9, 20.3, 20.5, 20.9),
    ),
    DemoIndicator(
        code="demo-fritidsorganisasjon",
        name="Ungdom som er med i en fritidsorganisasjon (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.CULTURE,
        area="Helsefremmende møteplasser",
        school_years=False,
        description=(
            "Andel elever på ungdomstrinnet som er med i minst én organisasjon, klubb, lag "
            "eller forening, spurt som i Ungdata. Fiktive tall for demokommunen."
        ),
        solvik=(57.2, 52.0, 55.8, 58.9, 60.4, 61.8),
        country=(60.5, 54.1, 56.3, 58.0, 58.6, 59.0),
        county=(59.8, 53.6, 55.9, 57.7, 58.3, 58.8),
        targets=((0, "60.0"),),
    ),
    DemoIndicator(
        code="demo-lokalmiljo",
        name="Ungdom som er fornøyd med lokalmiljøet (demo)",
        unit_of_measure="prosent",
        higher_is_better=True,
        service_field=ServiceField.CULTURE,
        area="Helsefremmende møteplasser",
        school_years=False,
        description=(
            "Andel elever på ungdomstrinnet som er fornøyd med lokalmiljøet der de bor, "
            "spurt som i Ungdata. Fiktive tall for demokommunen."
        ),
        solvik=(64.5, 65.8, 67.0, 68.3, 70.1, 71.4),
        country=(68.2, 68.0, 68.5, 68.9, 69.3, 69.6),
        targets=((0, "75.0"),),
        commentary=(
            "Flere unge er fornøyd med lokalmiljøet etter at ungdomsklubben fikk lengre "
            "åpningstider og skateparken ble bygget, men vi er ikke i mål."
        ),
    ),
)


def delete_indicator_content(municipality: Municipality) -> None:
    """The municipality's own indicator content: targets, commentary, saved mappings.
    Observations are shared statistics and stay (``seed_indicators`` updates its own)."""
    Target.objects.filter(municipality=municipality).delete()
    Commentary.objects.filter(municipality=municipality).delete()
    ImportMapping.objects.filter(municipality=municipality).delete()


def seed_indicators(
    municipality: Municipality,
    plan: QualityPlan,
    units: dict[str, Unit],
    users: dict,
    today: datetime.date,
) -> dict[str, int]:
    """Create or bring up to date the demo indicators and their figures, and the
    municipality's targets and commentary; returns what there is, by kind."""
    source, _created = Source.objects.update_or_create(
        code=SOURCE_CODE,
        defaults={
            "name": SOURCE_NAME,
            "description": "Fiktive tall laget for demokommunen Solvik. Ikke ekte statistikk.",
        },
    )
    places = _places(municipality, units)
    data_admin = users.get("dataansvarlig")
    batch, _created = ImportBatch.objects.get_or_create(
        municipality=municipality,
        file_name=BATCH_FILE,
        defaults={
            "uploaded_by": data_admin,
            "sha256": "0" * 64,
            "detected_format": "demo",
            "source": source,
            "status": ImportStatus.COMMITTED,
            "committed_at": timezone.now(),
        },
    )
    school_year = SchoolYear.current(today).start_year
    areas = {area.name: area for area in DevelopmentArea.objects.filter(plan=plan)}
    first_components: dict[int, CoreComponent] = {}
    for component in CoreComponent.objects.filter(area__plan=plan).order_by("area", "order"):
        first_components.setdefault(component.area_id, component)
    sector_leader = users.get("sektorleder")

    observations: list[Observation] = []
    indicators: list[Indicator] = []
    for demo in INDICATORS:
        # The demo's indicators are the demo municipality's own, as an import by its
        # data admin would make them.
        indicator, _created = Indicator.objects.update_or_create(
            source=source,
            municipality=municipality,
            code=demo.code,
            defaults={
                "name": demo.name,
                "unit_of_measure": demo.unit_of_measure,
                "decimals": demo.decimals,
                "higher_is_better": demo.higher_is_better,
                "service_field": demo.service_field,
                "description": demo.description,
                "published": True,
            },
        )
        indicators.append(indicator)
        area = areas.get(demo.area)
        if area is not None:
            indicator.areas.add(area)
            if area.pk in first_components:
                indicator.components.add(first_components[area.pk])
        if demo.school_years:
            periods = [
                school_year_period(SchoolYear(year)) for year in range(school_year - 6, school_year)
            ]
        else:
            periods = [year_period(year) for year in range(today.year - 6, today.year)]

        def add(place: Place, values: Values, indicator=indicator, periods=periods) -> None:
            for (label, start, end), value in zip(periods, values, strict=True):
                observations.append(_observation(indicator, place, label, start, end, value, batch))

        for (label, start, end), value in zip(periods, demo.solvik, strict=True):
            place = places["old"] if start.year < NUMBER_CHANGE_YEAR else places["current"]
            observations.append(_observation(indicator, place, label, start, end, value, batch))
        add(places["country"], demo.country)
        if demo.county:
            add(places["county"], demo.county)
        if demo.kostra:
            add(places["kostra"], demo.kostra)
        for unit_name, values in demo.units:
            add(places[unit_name], values)
        last_year = periods[-1][1].year
        for offset, value in demo.targets:
            Target.objects.create(
                indicator=indicator,
                municipality=municipality,
                year=last_year + offset,
                value=Decimal(value),
            )
        if demo.commentary and sector_leader is not None:
            Commentary.objects.create(
                indicator=indicator,
                municipality=municipality,
                text=demo.commentary,
                written_by=sector_leader,
            )
    # A unit's own target: the lower secondary school aims lower than the municipality.
    Target.objects.create(
        indicator=indicators[0],
        municipality=municipality,
        unit=units[UNGDOMSSKOLE],
        year=school_year - 1,
        value=Decimal("6.0"),
    )
    Observation.objects.bulk_create(
        observations,
        update_conflicts=True,
        unique_fields=["indicator", "place", "period_label", "subgroup"],
        update_fields=["period_start", "period_end", "value", "status", "symbol", "batch"],
    )
    batch.rows_total = batch.rows_new = len(observations)
    batch.save(update_fields=["rows_total", "rows_new"])
    # Figures from an earlier day's run that have fallen out of the six periods (only the
    # demo's own indicators; nothing else is touched).
    labels = {o.period_label for o in observations}
    Observation.objects.filter(indicator__in=indicators).exclude(period_label__in=labels).delete()
    return {
        "indicator_sources": 1,
        "indicators": len(indicators),
        "indicator_observations": Observation.objects.filter(indicator__in=indicators).count(),
        "indicator_targets": Target.objects.filter(municipality=municipality).count(),
        "indicator_commentaries": Commentary.objects.filter(municipality=municipality).count(),
    }


def _observation(indicator, place, label, start, end, value, batch) -> Observation:
    if isinstance(value, str):
        return Observation(
            indicator=indicator,
            place=place,
            period_label=label,
            period_start=start,
            period_end=end,
            value=None,
            status=ObservationStatus.SUPPRESSED,
            symbol=value,
            batch=batch,
        )
    return Observation(
        indicator=indicator,
        place=place,
        period_label=label,
        period_start=start,
        period_end=end,
        value=Decimal(str(value)),
        status=ObservationStatus.VALUE,
        batch=batch,
    )


def _places(municipality: Municipality, units: dict[str, Unit]) -> dict[str, Place]:
    """The country (shared: found, never renamed), and the fictional county, KOSTRA group,
    Solvik's current and old numbers and two of its schools."""
    country, _created = Place.objects.get_or_create(
        level=PlaceLevel.COUNTRY, code=COUNTRY_CODE, defaults={"name": "Hele landet"}
    )
    county, _created = Place.objects.update_or_create(
        level=PlaceLevel.COUNTY, code=COUNTY_CODE, defaults={"name": "Solvik fylke (demo)"}
    )
    kostra, _created = Place.objects.update_or_create(
        level=PlaceLevel.KOSTRA_GROUP,
        code=KOSTRA_CODE,
        defaults={"name": "KOSTRA-gruppe 99 (demo)"},
    )
    current, _created = Place.objects.update_or_create(
        level=PlaceLevel.MUNICIPALITY,
        code=municipality.number,
        defaults={
            "name": "Solvik",
            "valid_from": NUMBER_CHANGE_YEAR,
            "parent": county,
        },
    )
    old, _created = Place.objects.update_or_create(
        level=PlaceLevel.MUNICIPALITY,
        code=OLD_NUMBER,
        defaults={
            "name": "Solvik (nummer før 2024)",
            "valid_to": NUMBER_CHANGE_YEAR - 1,
            "successor": current,
            "parent": county,
        },
    )
    places = {
        "country": country,
        "county": county,
        "kostra": kostra,
        "current": current,
        "old": old,
    }
    for number, name in enumerate((BARNESKOLE, UNGDOMSSKOLE), start=1):
        places[name], _created = Place.objects.update_or_create(
            level=PlaceLevel.UNIT,
            code=f"demo-{municipality.number}-{number:02d}",
            defaults={"name": name, "unit": units[name], "parent": current},
        )
    return places
