"""SQLAlchemy models. Importing this package registers every table on `Base.metadata`."""

from teleframe.models.audit import AuditEvent
from teleframe.models.base import Base
from teleframe.models.checkin import CheckIn, Evaluation
from teleframe.models.checkin_link import CheckInLink
from teleframe.models.event import OutboundEvent, SessionEvent
from teleframe.models.idempotency import IdempotencyKey
from teleframe.models.integration import InboundEvent, Integration
from teleframe.models.outbox import OutboxMessage
from teleframe.models.people import Client, Clinician
from teleframe.models.policy import PolicyVersion
from teleframe.models.practice import ApiKey, Practice
from teleframe.models.report import ReportKind, ReportVersion
from teleframe.models.session import SessionState, TherapySession
from teleframe.models.user import AccountToken, PersonalToken, SignInSession, User
from teleframe.models.webhook import Delivery, WebhookEndpoint, WebhookSubscription

__all__ = [
    "AccountToken",
    "ApiKey",
    "AuditEvent",
    "Base",
    "CheckIn",
    "CheckInLink",
    "Client",
    "Clinician",
    "Delivery",
    "Evaluation",
    "IdempotencyKey",
    "InboundEvent",
    "Integration",
    "OutboundEvent",
    "OutboxMessage",
    "PersonalToken",
    "PolicyVersion",
    "Practice",
    "ReportKind",
    "ReportVersion",
    "SessionEvent",
    "SessionState",
    "SignInSession",
    "TherapySession",
    "User",
    "WebhookEndpoint",
    "WebhookSubscription",
]
