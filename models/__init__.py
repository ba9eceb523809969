"""The domain model shared by phone and server: tables, enums and pure domain rules.

Importing this package registers every table on `Base.metadata`. No engine, no I/O, no config.
"""

from models.audit import AuditEvent
from models.base import Base, utcnow
from models.capa import CorrectiveAction, EffectivenessCheck, SignOff
from models.details import CaseDayRange, InjuryCase, NearMissDetails, OccurrenceDetails, OutageDetails
from models.evidence import Attachment, Blob, Upload, WitnessStatement
from models.incident import Amendment, Incident, IncidentRole, StatusUpdate
from models.investigation import ChangeRequest, Investigation, InvestigationConflict, Problem
from models.notify import NotificationLog, NotificationRoute
from models.people import ApiToken, Device, Membership, User
from models.regulatory import RegulatoryClock, RuleOverride
from models.review import PostIncidentReview, ReviewAction
from models.site import Asset, Site, SiteArea, SiteYear
from models.synclog import Change, Counter, MutationRecord

__all__ = [
    "Amendment",
    "ApiToken",
    "Asset",
    "Attachment",
    "AuditEvent",
    "Base",
    "Blob",
    "CaseDayRange",
    "Change",
    "ChangeRequest",
    "CorrectiveAction",
    "Counter",
    "Device",
    "EffectivenessCheck",
    "Incident",
    "IncidentRole",
    "InjuryCase",
    "Investigation",
    "InvestigationConflict",
    "Membership",
    "MutationRecord",
    "NearMissDetails",
    "NotificationLog",
    "NotificationRoute",
    "OccurrenceDetails",
    "OutageDetails",
    "PostIncidentReview",
    "Problem",
    "RegulatoryClock",
    "ReviewAction",
    "RuleOverride",
    "SignOff",
    "Site",
    "SiteArea",
    "SiteYear",
    "StatusUpdate",
    "Upload",
    "User",
    "WitnessStatement",
    "utcnow",
]
