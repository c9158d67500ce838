"""Tickets (tenant schema): what a customer asked, its thread and history, and the settings that
decide who answers and by when (forms, skills, SLA policies, business calendar)."""

from kefu.tickets.models.activity import (
    DeflectionEvent,
    OutboundNotice,
    SlaNotice,
    SubmissionDraft,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TicketRating,
    TicketView,
)
from kefu.tickets.models.config import (
    AgentProfile,
    BusinessCalendar,
    Holiday,
    SkillGroup,
    SlaPolicy,
    TicketCategory,
    TicketField,
)
from kefu.tickets.models.desk import CannedResponse, SavedView
from kefu.tickets.models.ticket import Ticket

__all__ = [
    "AgentProfile",
    "BusinessCalendar",
    "CannedResponse",
    "DeflectionEvent",
    "Holiday",
    "OutboundNotice",
    "SavedView",
    "SkillGroup",
    "SlaNotice",
    "SlaPolicy",
    "SubmissionDraft",
    "Ticket",
    "TicketAttachment",
    "TicketCategory",
    "TicketEvent",
    "TicketField",
    "TicketMessage",
    "TicketRating",
    "TicketView",
]
