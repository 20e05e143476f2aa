"""Navigation entries and home-page panels contributed by each app.

``observation`` imports no other app (docs/architecture.md), so the apps register what they add
to the shared layout in their ``AppConfig.ready``; the layout and the home page only read
this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from observation.kernel.access import role_of
from observation.kernel.roles import Role


@dataclass(frozen=True)
class NavEntry:
    label: Any  # a lazy translation
    url_name: str
    roles: frozenset[Role]
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    template: str
    roles: frozenset[Role]
    order: int = 100
    context: Callable[[Any], dict[str, Any]] = field(default=lambda request: {})


_nav: list[NavEntry] = []
_panels: list[HomePanel] = []


def register_nav(entry: NavEntry) -> None:
    if entry not in _nav:
        _nav.append(entry)


def register_home_panel(panel: HomePanel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def navigation_for(user: Any) -> list[dict[str, str]]:
    role = role_of(user)
    if role is None:
        return []
    entries = sorted((e for e in _nav if role in e.roles), key=lambda e: (e.order, e.url_name))
    return [{"label": e.label, "url": reverse(e.url_name), "name": e.url_name} for e in entries]


def panels_for(request: Any) -> list[dict[str, Any]]:
    role = role_of(request.user)
    if role is None:
        return []
    chosen = sorted((p for p in _panels if role in p.roles), key=lambda p: (p.order, p.template))
    return [{"template": p.template, "context": p.context(request)} for p in chosen]
