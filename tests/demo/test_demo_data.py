"""The demo content is data (``fixtures/demo/*.json``): a mistake in it stops ``load_demo``
on read, with the file and the key, before anything is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from competence.demo import CompetenceDemoData
from plans.demo import plans_demo_data
from plans.demo_data import DemoDataError, demo_data_dir, read_demo_data


@pytest.fixture
def plans_json(tmp_path):
    """A copy of plans.json to spoil, and a way to read it back."""
    path = tmp_path / "plans.json"
    shutil.copy(demo_data_dir() / "plans.json", path)
    data = json.loads(path.read_text(encoding="utf-8"))

    def spoil_and_read(change) -> None:
        change(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        plans_demo_data(directory=tmp_path)

    return spoil_and_read


def _error(read) -> str:
    with pytest.raises(DemoDataError) as caught:
        read()
    return str(caught.value)


def test_the_shipped_demo_files_read_cleanly():
    plans = plans_demo_data()
    assert plans.municipality.number == "9901"
    assert len(plans.units) == 25
    assert len(plans.users) + len(plans.staff) == 26
    competence = read_demo_data("competence.json", CompetenceDemoData)
    # A session's index is written "0" in JSON and read back as the number the seeder uses.
    sign_ups = [line.sign_ups for line in competence.current + competence.last if line.sign_ups]
    assert sign_ups
    assert all(isinstance(key, int) for found in sign_ups for key in found)
    # Arrays become tuples where the shape says so: the content cannot be changed in use.
    assert isinstance(plans.plan_areas[0].components, tuple)


def test_a_missing_key_names_file_and_key(plans_json):
    message = _error(lambda: plans_json(lambda d: d["plan_areas"][2].pop("goal")))
    assert "plans.json: plan_areas[2].goal: mangler" in message


def test_a_misspelt_key_is_refused_not_ignored(plans_json):
    def typo(d):
        d["plan_areas"][1]["gaol"] = d["plan_areas"][1].pop("goal")

    message = _error(lambda: plans_json(typo))
    assert "plans.json: plan_areas[1].gaol: ukjent nøkkel" in message


def test_a_value_of_the_wrong_type_names_its_place(plans_json):
    def number_as_parent(d):
        d["units"][3][2] = 5

    message = _error(lambda: plans_json(number_as_parent))
    assert "plans.json: units[3][2]: ventet tekst eller null, fant 5" in message


def test_a_role_that_is_not_a_role_is_refused(plans_json):
    def role(d):
        d["users"][0]["grants"][0][0] = "sektorleder"

    message = _error(lambda: plans_json(role))
    assert "plans.json: users[0].grants[0][0]: ukjent verdi 'sektorleder'" in message


def test_a_grant_in_a_unit_that_does_not_exist_is_refused(plans_json):
    def unit(d):
        d["staff"][2]["grants"][1][1] = "Solvik skole"

    message = _error(lambda: plans_json(unit))
    assert "plans.json: staff[2].grants[1][1]: ukjent enhet «Solvik skole»" in message


def test_an_area_index_out_of_range_is_refused(plans_json):
    def index(d):
        d["unit_plans"][0]["areas"] = [1, 4]

    message = _error(lambda: plans_json(index))
    assert "plans.json: unit_plans[0].areas: finnes bare 4 utviklingsområder" in message


def test_a_date_that_is_not_a_date_names_its_place(tmp_path):
    path = tmp_path / "competence.json"
    data = json.loads((demo_data_dir() / "competence.json").read_text(encoding="utf-8"))
    data["facts"][0][4][1][0] = "2022-08-32"
    path.write_text(json.dumps(data), encoding="utf-8")
    message = _error(
        lambda: read_demo_data("competence.json", CompetenceDemoData, directory=tmp_path)
    )
    assert "competence.json: facts[0][4][1][0]: ventet en dato (ÅÅÅÅ-MM-DD)" in message


def test_broken_json_names_file_and_line(tmp_path):
    (tmp_path / "plans.json").write_text('{\n  "password": "x",\n  oops\n}', encoding="utf-8")
    message = _error(lambda: plans_demo_data(directory=tmp_path))
    assert str(Path(tmp_path / "plans.json")) in message
    assert "ugyldig JSON på linje 3" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["topics"][1]["indicators"].append("demo-finnes-ikke"),
            "law_topics.json: topics[1].indicators[3]: «demo-finnes-ikke» finnes ikke i "
            "indicators.json",
        ),
        (lambda d: d["topics"][0].update(topic="trivsel"), "law_topics.json: topics[0].topic"),
        (
            lambda d: d["topics"][2].update(topic="laeringsmiljo"),
            "topics[2].topic: «laeringsmiljo» står mer enn én gang",
        ),
    ],
)
def test_a_mistake_in_the_law_topics_file_stops_the_loader_before_it_writes(
    db, tmp_path, change, expected
):
    from demo.services.law_topics import demo_law_topics_load
    from reports.models import LawTopicIndicator
    from tests.factories import MunicipalityFactory

    data = json.loads((demo_data_dir() / "law_topics.json").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "law_topics.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    municipality = MunicipalityFactory()
    message = _error(lambda: demo_law_topics_load(municipality=municipality, directory=tmp_path))
    assert expected in message
    assert not LawTopicIndicator.objects.exists()


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_the_demo_maps_its_indicators_to_the_laws_three_topics(db):
    from demo.services.loading import demo_load
    from plans.models import Municipality
    from reports.models import LawTopicIndicator

    counts = demo_load(reports=False)  # the mapping, not the reports that print it
    assert counts["law_topic_indicators"] == 6
    solvik = Municipality.objects.get(number="9901")
    links = LawTopicIndicator.objects.filter(municipality=solvik).order_by("topic", "order")
    assert [(link.topic, link.indicator.code) for link in links] == [
        ("gjennomforing", "demo-gjennomforing-vgo"),
        ("laeringsmiljo", "demo-mobbing"),
        ("laeringsmiljo", "demo-trivsel"),
        ("laeringsresultater", "demo-np-lesing-5"),
        ("laeringsresultater", "demo-np-regning-5"),
        ("laeringsresultater", "demo-grunnskolepoeng"),
    ]
    assert demo_load(reports=False)["law_topic_indicators"] == 6  # again: replaced, not doubled
