"""Page forms of incidents: filing (``filing``) and triage (``triage``)."""
