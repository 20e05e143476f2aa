"""Parsing request bodies for the API (docs/api.md#errors): DRF's JSON parser, refusing with
a 400 and a JSON message what would otherwise be a 500.

Kept apart from ``observation.kernel.api``: DRF reads ``DEFAULT_PARSER_CLASSES`` while its
views module is imported, which that module does."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32
"""How deeply a JSON body may nest (docs/api.md#errors). Baikoo's deepest body is two
levels; a body nested a thousand levels deep is refused with a 400, not a 500."""


def check_json(data: Any) -> str | None:
    """What is wrong with a parsed JSON body (too deep, a NUL character in a string or a
    key, which no text column can store), or None. Iterative: a deep body cannot exhaust
    the stack here."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "Text may not contain NUL (\\u0000) characters."
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, inner in items:
                if isinstance(key, str) and "\x00" in key:
                    return "Text may not contain NUL (\\u0000) characters."
                pending.append((inner, depth + 1))
    return None


def load_json(raw: bytes | str) -> Any:
    """``json.loads`` for request bodies: a ``ParseError`` (400 with a JSON message) for
    what is not JSON, nested too deeply or holds NUL characters."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ParseError(
            f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
        ) from None
    except ValueError as exc:
        raise ParseError(f"JSON parse error - {exc}") from None
    problem = check_json(data)
    if problem:
        raise ParseError(problem)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with a 400 what would otherwise be a 500: bodies
    nested too deeply for Python's parser or for ``MAX_JSON_DEPTH``, and NUL characters
    (docs/api.md#errors)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
            ) from None
        problem = check_json(data)
        if problem:
            raise ParseError(problem)
        return data
