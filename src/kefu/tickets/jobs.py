"""Ticket jobs (dramatiq finds modules named ``jobs``)."""

from kefu.tickets.jobs_sla import *  # noqa: F403
