"""The one rule for «anonymous» text in consultation meetings (samarbeidsmøter): the
matters and actions of a protocol are read by the support services and the coordinator, so
they must never point at one child. The protocol form and the service both call
:func:`validate_anonymous` (defence in depth); nothing else decides what is anonymous.

What is refused, and why:

1. **A national identity number** (fødselsnummer or D-nummer): eleven digits whose first
   six read as a date (day 01–31, or 41–71 for a D-nummer; month 01–12), written together
   («01020312345»), with a space or hyphen after the date («010203 12345», «010203-12345»)
   or with dots in the date («01.02.03 12345»). The check digits are not tested: a number
   mistyped by one digit identifies the child just as well.
2. **A birth date**: «født», «fødd», «f.», «fødselsdato» or «f.dato» followed by a date,
   with or without a year and in any common form («f. 03.04.2017», «født 3. april 2017»,
   «født 3/4-17»). In one kindergarten group a birth date alone points at one child.
3. **A name together with a full date** (day, month and year: «03.04.2017», «3. april
   2017», «2017-04-03»): a name is two capitalised words in a row («Kari Nordmann») or a
   common Norwegian first name in any case («kari», «OLA»). A date with a year next to a
   name reads as «who and when born», the combination the issue names.

What is let through, on purpose:

- **A name alone** («Kari Nordmann, PPT, tar kontakt med skolen»): the people in a
  protocol are the adults who attend and answer for the actions, and their names are
  needed. A child's first name alone is still poor practice; the form's help text says so.
- **A date without a year** («møte 12.03.», «innen 1. april»), and a year alone («født
  2017», «3. trinn»): meeting dates and deadlines are the protocol's business, and a birth
  year is the group's, not the child's.
- **Other numbers**: phone numbers (8 digits), organisation numbers (9), case numbers.

So a matter is written as «gutt, 3. trinn, mye fravær siden høstferien» and an action as
«Kari Nordmann (PPT) observerer i klassen innen 1. april».
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_MONTHS = (
    "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
    "jan|feb|febr|mar|apr|jun|jul|aug|sep|sept|okt|nov|des"
)

# 11 digits: DDMMYY, an optional separator (dots inside the date, one space/hyphen/dot
# before the personal number) and five digits. Not inside a longer number.
_ID_NUMBER = re.compile(
    r"(?<![\d])(?P<day>\d{2})\.?(?P<month>\d{2})\.?(?P<year>\d{2})[\s.\-]?(?P<personal>\d{5})(?![\d])"
)

# A date with day, month and year.
_FULL_DATE = re.compile(
    r"(?<![\d])(?:"
    r"\d{1,2}\s*[./\-]\s*\d{1,2}\s*[./\-]\s*(?:\d{4}|\d{2})"  # 03.04.2017, 3/4-17
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 2017-04-03
    rf"|\d{{1,2}}\.?\s*(?:{_MONTHS})\.?\s+\d{{4}}"  # 3. april 2017
    r")(?![\d])",
    re.IGNORECASE,
)

# A birth marker followed by a date, year or not («f. 03.04», «født 3. april»).
_BIRTH_DATE = re.compile(
    r"(?:\bfødt|\bfødd|\bfødselsdato|\bf\.\s*dato|\bfdato|(?<![\w])f\.)\s*:?\s*"
    rf"(?:\d{{1,2}}\s*[./\-]\s*\d{{1,2}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}\.?\s*(?:{_MONTHS})\b)",
    re.IGNORECASE,
)

# Two capitalised words in a row: «Kari Nordmann», «Ole-Martin Berg».
_CAPITALISED_PAIR = re.compile(
    r"\b[A-ZÆØÅ][a-zæøåäöüé]+(?:-[A-ZÆØÅ][a-zæøåäöüé]+)?\s+[A-ZÆØÅ][a-zæøåäöüé]+\b"
)

# Common first names in Norway (SSB's lists over the years), matched in any case. Names
# that are also everyday words («per», «liv», «mai», «hans», «ask») are left out: they
# would refuse «per 1. mai 2027».
_FIRST_NAMES_TEXT = """
    emma nora olivia ella sofie leah frida ingrid sara maja emilie anna sofia hedda thea
    julie amalie vilde tiril astrid selma kari ingeborg marie hanna hannah linnea
    mathilde aurora jenny tuva iben oda mia ada eva malin ronja silje hilde kristin
    camilla ane jakob emil noah oliver filip william lucas liam henrik oskar aksel
    theodor elias kasper magnus johannes isak mathias tobias olav sander jonas adrian
    markus martin ola kristian lars anders nils jon ole erik knut arne sindre sigurd
    even eirik espen mohammed muhammad ahmed ali fatima aisha ibrahim yusuf omar amir
    zainab maryam
"""
FIRST_NAMES = frozenset(_FIRST_NAMES_TEXT.split())

_WORD = re.compile(r"[A-Za-zÆØÅæøåäöüé]+")


def _looks_like_id_number(match: re.Match) -> bool:
    day, month = int(match["day"]), int(match["month"])
    if day > 40:  # D-nummer: 40 added to the day
        day -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def _name_in(text: str) -> str | None:
    pair = _CAPITALISED_PAIR.search(text)
    if pair:
        return pair.group(0)
    for word in _WORD.findall(text):
        if word.casefold() in FIRST_NAMES:
            return word
    return None


def anonymity_problem(text: str) -> str | None:
    """What in ``text`` could identify a child, as a message that says how to rewrite it;
    None when the text passes. See the module docstring for the rule."""
    for match in _ID_NUMBER.finditer(text):
        if _looks_like_id_number(match):
            masked = f"{match['day']}{match['month']}{match['year']} *****"
            return _(
                "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer (%(found)s). "
                "Saker i samarbeidsmøtet drøftes anonymt: skriv for eksempel «gutt, 3. trinn» "
                "i stedet."
            ) % {"found": masked}
    birth = _BIRTH_DATE.search(text)
    if birth:
        return _(
            "Teksten ser ut til å inneholde en fødselsdato («%(found)s»). Saker i "
            "samarbeidsmøtet drøftes anonymt: skriv alder eller trinn i stedet, for eksempel "
            "«jente, 4 år»."
        ) % {"found": birth.group(0)}
    date = _FULL_DATE.search(text)
    if date:
        name = _name_in(text)
        if name:
            return _(
                "Teksten ser ut til å inneholde et navn («%(name)s») sammen med en dato "
                "(«%(date)s»). Saker i samarbeidsmøtet drøftes anonymt: ta bort navnet eller "
                "skriv datoen uten årstall."
            ) % {"name": name, "date": date.group(0)}
    return None


def validate_anonymous(text: str) -> None:
    """Raise ValidationError when ``text`` could identify a child (a form field validator
    and the service's check)."""
    problem = anonymity_problem(text or "")
    if problem:
        raise ValidationError(problem, code="not_anonymous")
