"""What every page form shares: the date widget, the field template and how a service's
refusal is shown.

A form parses and shows errors; it never saves. The view hands the cleaned values to a
service, and :func:`add_service_errors` puts the service's ``ValidationError`` back on the
fields it names, so a page shows the same message the API returns (docs/architecture.md).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import django.forms
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class DateInput(forms.DateInput):
    """A browser date picker. Its value is always ISO: the picker reads nothing else,
    whatever the page's language formats dates as."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    """A browser time picker; like the date picker it reads only ISO (``08:00``)."""

    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class QuickSelect(forms.Select):
    """A select whose options are written in Python rather than by one template each
    (Django's default), and without the dictionary Django makes per option: the triage
    filters list every district, party and person, the voter-list form every TEC and PEC
    of an election (2,560 at national scale), and the options were most of those pages'
    time (docs/benchmarks.md). Groups (``(label, [(value, label), …])``) are kept; as in
    Django, only the first option matching the value is selected."""

    template_name = "forms/quick_select.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # forms.Widget's context (name, value as a list of strings, attrs), not
        # ChoiceWidget's, which builds the per-option dictionaries drawn here directly.
        context = forms.Widget.get_context(self, name, value, attrs)
        wanted = set(context["widget"]["value"])
        parts: list[str] = []
        for group, choices in self._groups():
            if group is not None:
                parts.append(format_html('<optgroup label="{}">', group))
            for option_value, label in choices:
                shown = "" if option_value is None else str(option_value)
                selected = shown in wanted
                if selected:
                    wanted = set()  # a single select selects one option
                text = (
                    conditional_escape(label) if hasattr(label, "__html__") else escape(str(label))
                )
                parts.append(
                    f'<option value="{escape(shown)}"{" selected" if selected else ""}>'
                    f"{text}</option>"
                )
            if group is not None:
                parts.append("</optgroup>")
        context["widget"]["options_html"] = mark_safe("".join(parts))
        return context

    def _groups(self) -> Any:
        """``(group label or None, [(value, label), …])`` in order, consecutive ungrouped
        choices together."""
        loose: list[tuple[Any, Any]] = []
        for value, label in self.choices:
            if isinstance(label, (list, tuple)):
                if loose:
                    yield None, loose
                    loose = []
                yield value, label
            else:
                loose.append((value, label))
        if loose:
            yield None, loose


class PlainChoices(BaseChoiceIterator):
    """Choices given as ready ``(value, label)`` pairs, which Django takes as they are:
    a plain list is normalized, pair by pair, by the field and again by its widget
    (thousands of commissions on the voter-list form)."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs

    def __iter__(self) -> Any:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


def add_service_errors(form: forms.BaseForm, error: ValidationError, *, prefix: str = "") -> None:
    """Show a service's ValidationError on ``form``: each message on the field it names
    when the form has that field, at the top of the form otherwise.

    ``prefix`` is stripped from the names first, for a service that files a form's fields
    under a group (``details.<name>``)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = key.removeprefix(prefix) if prefix else key
        form.add_error(name if name in form.fields else None, errors)


class FormRenderer(DjangoTemplates):
    """Django's form templates, with ``templates/forms/field.html`` as the one template
    of a field: ``{{ field.as_field_group }}`` draws the label, the widget, the help text
    and the errors alike on every page (settings ``FORM_RENDERER``).

    A form whose optional fields should say so sets ``mark_optional = True``."""

    field_template_name = "forms/field.html"

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(django.forms.__file__).parent / self.backend.app_dirname,
                    Path(settings.BASE_DIR) / "templates",
                ],
                "NAME": "baikoo-forms",
                "OPTIONS": {},
            }
        )
