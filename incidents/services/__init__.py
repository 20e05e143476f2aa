"""Every write of incidents, one module per job: ``filing`` (reports, evidence and
answers from the field), ``lifecycle`` (triage: status, assignment, severity, comments,
questions), ``escalation`` (to the RRCG: the outbox, delivery, the sweep), ``records``
(the versioned incident row both triage modules write through) and ``alerts`` (for head
office).

Imports go one way, ``filing → lifecycle → escalation → records → alerts``: a module
imports only modules after it, never ``incidents.tasks`` (tasks are published by name).
"""
