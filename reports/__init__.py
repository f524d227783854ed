"""Yearly status reports for elected officials, rendered to PDF by Celery jobs."""
