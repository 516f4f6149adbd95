"""Every Celery task name in one place: the outbox stores them, beat schedules them, and
workers/tasks registers them. Names are a stable contract with queued messages: never rename.

Each task belongs to one queue by kind of work, so a slow kind (a receiver answering one byte
at a time, a big report) never delays another (a client waiting for a verdict).
"""

EVALUATE_CHECKIN = "teleframe.evaluate_checkin"
DRAIN_EVALUATIONS = "teleframe.drain_evaluations"
INGEST_EVENT = "teleframe.ingest_event"
DRAIN_INBOUND = "teleframe.drain_inbound"
FOLD_SESSION = "teleframe.fold_session"
CHECK_DISRUPTIONS = "teleframe.check_disruptions"
CHECK_MISSING_CHECKINS = "teleframe.check_missing_checkins"
BUILD_REPORT_DRAFT = "teleframe.build_report_draft"
ENFORCE_RETENTION = "teleframe.enforce_retention"
RELAY_OUTBOX = "teleframe.relay_outbox"
FAN_OUT_EVENTS = "teleframe.fan_out_events"
DELIVER_DUE = "teleframe.deliver_due"
DELIVER_WEBHOOK = "teleframe.deliver_webhook"
PURGE_IDEMPOTENCY_KEYS = "teleframe.purge_idempotency_keys"

EVALUATION = "evaluation"
INGEST = "ingest"
DELIVERY = "delivery"
REPORTS = "reports"
MAINTENANCE = "maintenance"
KINDS = (EVALUATION, INGEST, DELIVERY, REPORTS, MAINTENANCE)

KIND_OF = {
    EVALUATE_CHECKIN: EVALUATION,
    DRAIN_EVALUATIONS: EVALUATION,
    INGEST_EVENT: INGEST,
    DRAIN_INBOUND: INGEST,
    FOLD_SESSION: INGEST,
    CHECK_DISRUPTIONS: INGEST,  # the disruption protocol's clock: time-critical, like ingest
    BUILD_REPORT_DRAFT: REPORTS,
    ENFORCE_RETENTION: MAINTENANCE,
    RELAY_OUTBOX: MAINTENANCE,
    FAN_OUT_EVENTS: MAINTENANCE,
    DELIVER_DUE: MAINTENANCE,  # the claim is quick; only the attempts wait on receivers
    DELIVER_WEBHOOK: DELIVERY,
    PURGE_IDEMPOTENCY_KEYS: MAINTENANCE,
    CHECK_MISSING_CHECKINS: MAINTENANCE,
}


def queue(prefix: str, kind: str) -> str:
    """`teleframe.evaluation`, ...: every queue is named after the configured prefix."""
    return f"{prefix}.{kind}"


def queues(prefix: str, kinds: tuple[str, ...] = KINDS) -> list[str]:
    """The queues a worker consumes; the bare prefix too (messages sent there by hand)."""
    return [prefix, *(queue(prefix, kind) for kind in kinds)]


def routes(prefix: str) -> dict[str, dict[str, str]]:
    return {name: {"queue": queue(prefix, kind)} for name, kind in KIND_OF.items()}
