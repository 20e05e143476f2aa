"""The incidents API: filing (``filing``), triage and escalation (``triage``); routes in
``incidents.api_urls``, shapes in ``incidents.serializers``."""
