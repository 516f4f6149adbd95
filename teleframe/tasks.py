"""Every Celery task name in one place: the outbox stores them, beat schedules them, and
workers/tasks registers them. Names are a stable contract with queued messages: never rename."""

EVALUATE_CHECKIN = "teleframe.evaluate_checkin"
INGEST_EVENT = "teleframe.ingest_event"
FOLD_SESSION = "teleframe.fold_session"
CHECK_DISRUPTIONS = "teleframe.check_disruptions"
BUILD_REPORT_DRAFT = "teleframe.build_report_draft"
ENFORCE_RETENTION = "teleframe.enforce_retention"
RELAY_OUTBOX = "teleframe.relay_outbox"
FAN_OUT_EVENTS = "teleframe.fan_out_events"
DELIVER_DUE = "teleframe.deliver_due"
DELIVER_WEBHOOK = "teleframe.deliver_webhook"
