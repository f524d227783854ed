"""The report as the council's yearly dialogue, read back from the PDF the council gets:
the administration's text under KS's five questions, the law's three topics, how last
year's report was treated and what became of the follow-up items, this year's case number
on the title page, and last year's questions and answers in the appendix."""

from __future__ import annotations

from reports.models import AssessmentQuestion, LawTopic
from tests.reports.conftest import order_and_render, pdf_reader, pdf_text, publish
from tests.reports.synthetic import add_dialogue


def test_the_pdf_reads_back_every_part_of_the_dialogue(world):
    add_dialogue(world)
    report = order_and_render(world)
    text = pdf_text(report)

    for question in AssessmentQuestion:
        assert str(question.label) in text, question
    # The written text itself, per area and for the whole report.
    assert "Hele rapporten: Hvor er vi? – vurdert av administrasjonen." in text
    assert f"{world.areas[0].name}: Hvem gjør hva? – vurdert av administrasjonen." in text
    assert "Ingen endring" in text

    for topic in LawTopic:
        assert str(topic.label) in text, topic

    # The council's treatment: this year's case number on the title page; last year's
    # treatment, decision and follow-up item open the report.
    title_page = " ".join((pdf_reader(report).pages[0].extract_text() or "").split())
    assert "2026/77" in title_page
    assert "Oppfølging av fjorårets vedtak" in text
    assert "(sak 2025/1234)" in text
    assert "Tilstandsrapporten tas til orientering." in text
    assert "Plan mot mobbing på mellomtrinnet" in text
    assert "Pågår" in text
    assert "Planen er på høring." in text
    # The appendix: last year's question and its answer.
    assert "Vedlegg: Spørsmål og svar" in text
    assert "Hvorfor har ikke mobbingen gått ned?" in text
    assert "Tiltakene kom sent i gang; se kapittel 2." in text
    # The opening comes before the first area, the appendix after the last.
    assert text.index("Oppfølging av fjorårets vedtak") < text.index(world.areas[0].name + " ")
    assert text.rindex("Hvorfor har ikke mobbingen gått ned?") > text.rindex(world.areas[-1].name)

    published = publish(report, world.sector_leader)
    final = pdf_text(published)
    assert "UTKAST" not in final.replace(" ", "")  # the mark is letter-spaced
    assert "Hvorfor har ikke mobbingen gått ned?" in final
    assert "Hvor er vi?" in final
