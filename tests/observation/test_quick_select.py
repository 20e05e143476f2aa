"""The select widget of long lists (``observation.kernel.forms.QuickSelect``) draws what
Django's own Select draws, option for option, without a template or a dictionary per
option; ``PlainChoices`` hands it ready pairs (docs/benchmarks.md, triage)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe

from observation.kernel.forms import PlainChoices, QuickSelect

CHOICES = [
    ("", "Any"),
    ("1", "Bishkek <city>"),
    ("Regions", [("2", "Osh & Jalal-Abad"), ("3", 'Naryn "north"')]),
    ("4", mark_safe("<b>kept</b>")),
    ("1", "Bishkek again"),
]


def options(html: str) -> list[tuple[str, bool, str]]:
    found = re.findall(r'<option value="([^"]*)"( selected)?>(.*?)</option>', html)
    return [(value, bool(selected), label) for value, selected, label in found]


def django_select(value, choices=CHOICES) -> str:
    return forms.Select(choices=choices).render("district", value)


@pytest.mark.parametrize("value", [None, "", "1", "3", "4", "nothing", 1])
def test_it_draws_the_options_django_draws(value):
    quick = QuickSelect(choices=CHOICES).render("district", value)
    assert options(quick) == options(django_select(value))
    assert quick.count("<optgroup") == 1 and 'label="Regions"' in quick


def test_labels_are_escaped_and_safe_labels_kept():
    html = QuickSelect(choices=CHOICES).render("district", None)
    assert "Bishkek &lt;city&gt;" in html and "Osh &amp; Jalal-Abad" in html
    assert "Naryn &quot;north&quot;" in html
    assert "<b>kept</b>" in html


def test_only_the_first_matching_option_is_selected():
    html = QuickSelect(choices=CHOICES).render("district", "1")
    assert [label for _v, selected, label in options(html) if selected] == ["Bishkek &lt;city&gt;"]


def test_attributes_and_name_are_drawn():
    html = QuickSelect(choices=CHOICES, attrs={"id": "id_district"}).render("district", None)
    assert html.startswith('<select name="district" id="id_district">')


def test_plain_choices_are_taken_as_given_by_a_field():
    field = forms.ChoiceField(choices=[], widget=QuickSelect)
    pairs = PlainChoices([("", "Any"), ("7", "PEC 7")])
    field.choices = pairs
    assert field.choices is pairs and field.widget.choices is pairs
    assert field.clean("7") == "7"
    with pytest.raises(forms.ValidationError):
        field.clean("8")
    assert options(field.widget.render("pec", "7")) == [("", False, "Any"), ("7", True, "PEC 7")]


def test_lazy_and_number_labels_are_drawn_as_text():
    from django.utils.translation import gettext_lazy

    choices = [("", gettext_lazy("Any")), (2021, 2021)]
    html = QuickSelect(choices=choices).render("year", 2021)
    assert options(html) == [("", False, "Any"), ("2021", True, "2021")]
