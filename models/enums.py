"""Every closed vocabulary of the domain. Values are the stored and wire values; labels live in app/."""

from enum import StrEnum


class Role(StrEnum):
    """What a person may do at a site."""

    REPORTER = "reporter"
    SAFETY_OFFICER = "safety_officer"
    SUPERVISOR = "supervisor"
    HSE_MANAGER = "hse_manager"
    ADMIN = "admin"


class IncidentKind(StrEnum):
    """What sort of event a report describes."""

    INJURY = "injury"
    ILLNESS = "illness"
    NEAR_MISS = "near_miss"
    DANGEROUS_OCCURRENCE = "dangerous_occurrence"
    PROPERTY_DAMAGE = "property_damage"
    ENVIRONMENTAL = "environmental"
    IT_OUTAGE = "it_outage"
    SECURITY = "security"


class Priority(StrEnum):
    """P1 (most urgent) to P4."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class IncidentStatus(StrEnum):
    """Where an incident stands in its lifecycle."""

    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ResolutionType(StrEnum):
    """How an incident was resolved."""

    WORKAROUND = "workaround"
    PERMANENT_FIX = "permanent_fix"


class IncidentRoleKind(StrEnum):
    """Roles assigned per incident."""

    COMMANDER = "incident_commander"
    COMMUNICATION_LEAD = "communication_lead"
    RESOLVER = "resolver"
    INVESTIGATOR = "investigator"


class CaseType(StrEnum):
    """OSHA case type."""

    INJURY = "injury"
    ILLNESS = "illness"


class IllnessType(StrEnum):
    """OSHA illness categories (Form 300 column M)."""

    SKIN_DISORDER = "skin_disorder"
    RESPIRATORY_CONDITION = "respiratory_condition"
    POISONING = "poisoning"
    HEARING_LOSS = "hearing_loss"
    OTHER_ILLNESS = "other_illness"


class InpatientPurpose(StrEnum):
    """Why a person was admitted to hospital; only treatment admissions are reportable."""

    TREATMENT = "treatment"
    OBSERVATION = "observation"
    DIAGNOSTIC = "diagnostic"


class PrivacyConcern(StrEnum):
    """The 1904.29(b)(7) privacy-case grounds."""

    INTIMATE_BODY_PART = "intimate_body_part"
    SEXUAL_ASSAULT = "sexual_assault"
    MENTAL_ILLNESS = "mental_illness"
    HIV_HEPATITIS_TB = "hiv_hepatitis_tb"
    CONTAMINATED_SHARPS = "contaminated_sharps"
    EMPLOYEE_REQUEST = "employee_request"


class Sex(StrEnum):
    """Sex as recorded on OSHA Form 301 item 5 and JKKP 8."""

    MALE = "male"
    FEMALE = "female"
    UNSPECIFIED = "unspecified"


class DayRangeKind(StrEnum):
    """Days away from work or on restricted duty / job transfer."""

    AWAY = "away"
    RESTRICTED = "restricted"


class WitnessRelation(StrEnum):
    """A witness's relation to the workplace."""

    EMPLOYEE = "employee"
    CONTRACTOR = "contractor"
    VISITOR = "visitor"


class DetectionSource(StrEnum):
    """How an IT outage was detected."""

    MONITORING = "monitoring"
    INTERNAL = "internal"
    CUSTOMER = "customer"


class CustomerImpact(StrEnum):
    """How badly customers are affected by an outage."""

    NONE = "none"
    DEGRADED = "degraded"
    PARTIAL_OUTAGE = "partial_outage"
    FULL_OUTAGE = "full_outage"


class PotentialSeverity(StrEnum):
    """What a near miss could have led to."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AttachmentKind(StrEnum):
    """What an attached file is."""

    PHOTO = "photo"
    SIGNATURE = "signature"
    DOCUMENT = "document"


class ContributingFactor(StrEnum):
    """Categories of contributing factors in an investigation."""

    PEOPLE = "people"
    EQUIPMENT = "equipment"
    ENVIRONMENT = "environment"
    PROCEDURES = "procedures"
    MANAGEMENT = "management"


class RootCauseCategory(StrEnum):
    """Root-cause categories used to link repeat incidents."""

    DESIGN = "design"
    EQUIPMENT_FAILURE = "equipment_failure"
    MAINTENANCE = "maintenance"
    PROCEDURES = "procedures"
    TRAINING = "training"
    SUPERVISION = "supervision"
    COMMUNICATION = "communication"
    WORK_ENVIRONMENT = "work_environment"
    MANAGEMENT_SYSTEM = "management_system"
    SOFTWARE_DEFECT = "software_defect"
    CAPACITY = "capacity"
    EXTERNAL = "external"


class CapaType(StrEnum):
    """Corrective (fix what happened) or preventive (stop what could happen)."""

    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"


class ControlLevel(StrEnum):
    """The hierarchy of controls, most effective first."""

    ELIMINATION = "elimination"
    SUBSTITUTION = "substitution"
    ENGINEERING = "engineering"
    ADMINISTRATIVE = "administrative"
    PPE = "ppe"


class CapaStatus(StrEnum):
    """Corrective-action states; transitions live in models.workflow."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


class UpdateAudience(StrEnum):
    """Who a status update is for."""

    INTERNAL = "internal"
    EXTERNAL = "external"


class ProblemStatus(StrEnum):
    """A problem record's state."""

    OPEN = "open"
    KNOWN_ERROR = "known_error"
    RESOLVED = "resolved"


class ChangeStatus(StrEnum):
    """A change request's state."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    IMPLEMENTED = "implemented"
    REJECTED = "rejected"


class ChannelKind(StrEnum):
    """How a notification is delivered."""

    EMAIL = "email"
    WEBHOOK = "webhook"


class MutationStatus(StrEnum):
    """The final answer to a pushed mutation."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class ChangeOp(StrEnum):
    """What happened to an entity in the pull feed."""

    UPSERT = "upsert"
    DELETE = "delete"


class DoshOutcome(StrEnum):
    """JKKP 8 outcome: maut, hilang upaya kekal, tidak hilang upaya kekal."""

    FATAL = "M"
    PERMANENT_DISABILITY = "HUK"
    NO_PERMANENT_DISABILITY = "THUK"
