"""Strict parsing of the environment.

django-environ reads the variables; these wrappers make sure that a value which is
present but malformed stops start-up with a message naming the variable, instead of
silently becoming ``False`` or an empty list (which is what a typo in production would
otherwise turn into).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNSET = object()


class StrictEnv:
    def __init__(self, environ_map: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ_map is None else environ_map

    def _raw(self, name: str, default: Any) -> Any:
        value = self.environ.get(name)
        if value is None or value == "":
            if default is _UNSET:
                raise ImproperlyConfigured(f"Set the environment variable {name}.")
            return default
        return value

    def str(self, name: str, default: Any = _UNSET) -> str:
        return self._raw(name, default)

    def bool(self, name: str, default: Any = _UNSET) -> bool:
        value = self._raw(name, default)
        if isinstance(value, bool):
            return value
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off."
        )

    def int(self, name: str, default: Any = _UNSET, *, minimum: int | None = None) -> int:
        value = self._raw(name, default)
        if isinstance(value, int):
            return value
        try:
            number = int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def list(self, name: str, default: Any = _UNSET) -> list[str]:
        value = self._raw(name, default)
        if isinstance(value, list):
            return value
        items = [item.strip() for item in value.split(",")]
        if any(not item for item in items):
            raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate with commas.")
        return items

    def int_list(
        self, name: str, default: Any = _UNSET, *, minimum: int | None = None
    ) -> list[int]:
        items = self.list(name, default)
        numbers = []
        for item in items:
            try:
                number = int(item) if isinstance(item, int) else int(item.strip())
            except ValueError:
                raise ImproperlyConfigured(f"{name} has {item!r}, not a whole number.") from None
            if minimum is not None and number < minimum:
                raise ImproperlyConfigured(f"{name} has {number}; each must be at least {minimum}.")
            numbers.append(number)
        return numbers

    def choice(self, name: str, choices: tuple[str, ...], default: Any = _UNSET) -> str:
        value = self._raw(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}.")
        return value

    def db(self, name: str, default: Any = _UNSET) -> dict[str, Any]:
        url = self._raw(name, default)
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # django-environ raises several types for a bad URL
            raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from None
        engine = config.get("ENGINE", "")
        if engine not in {
            "django.db.backends.sqlite3",
            "django.db.backends.postgresql",
        }:
            raise ImproperlyConfigured(
                f"{name} must be a postgres:// or sqlite:// URL, not {url.split(':', 1)[0]!r}."
            )
        return config

    def url(self, name: str, schemes: tuple[str, ...], default: Any = _UNSET) -> str:
        value = self._raw(name, default)
        if value and not any(value.startswith(f"{scheme}://") for scheme in schemes):
            raise ImproperlyConfigured(
                f"{name}={value!r} must start with {' or '.join(s + '://' for s in schemes)}."
            )
        return value
