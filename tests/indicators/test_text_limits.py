"""A megabyte of text is refused by the indicator forms, services and database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from indicators.models import Commentary, Indicator
from indicators.services.indicators import indicator_commentary_save, indicator_update
from tests.indicators.factories_pages import IndicatorFactory

MEGABYTE = "x" * (1024 * 1024)


@pytest.fixture
def indicator(cast):
    # The municipality's own indicator, whose settings its data admin may change.
    return IndicatorFactory(
        name="Mobbing", code="mobbing", description="Andel elever.", municipality=cast.municipality
    )


def test_the_commentary_form_refuses_a_megabyte(client, cast, indicator):
    client.force_login(cast["sector_leader"])
    url = reverse("indicators:indicator-commentary", args=[indicator.pk])
    assert 'maxlength="5000"' in client.get(url).content.decode()
    response = client.post(url, {"text": MEGABYTE})
    assert response.status_code == 200
    assert "5000 eller færre tegn (den har nå 1048576)" in response.content.decode()
    assert not Commentary.objects.exists()


def test_the_services_refuse_a_megabyte(cast, indicator):
    with pytest.raises(ValidationError) as caught:
        indicator_commentary_save(
            indicator=indicator,
            municipality=cast.municipality,
            text=MEGABYTE,
            actor=cast["sector_leader"],
        )
    assert set(caught.value.message_dict) == {"text"}
    assert not Commentary.objects.exists()
    with pytest.raises(ValidationError) as caught:
        indicator_update(
            indicator=indicator,
            data={"description": MEGABYTE},
            municipality=None,
            plan=None,
            actor=cast["data_admin"],
        )
    assert set(caught.value.message_dict) == {"description"}
    assert Indicator.objects.get(pk=indicator.pk).description == "Andel elever."


def test_the_database_refuses_a_megabyte_written_past_the_services(cast, indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(description=MEGABYTE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Commentary.objects.create(
            indicator=indicator, municipality=cast.municipality, text=MEGABYTE
        )
    Indicator.objects.filter(pk=indicator.pk).update(description="x" * 5000)
