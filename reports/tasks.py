"""Celery tasks of the reports app: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from reports import services


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def build_pdf(export_job_id: int) -> None:
    """Build the file of an export job: the PDF, any other format queued, or one of the
    four files of a publication (rendered from its frozen data into the snapshot). Safe to
    run twice: the job is claimed first, and a published file is stored once."""
    services.export_job_run(job_id=export_job_id)
