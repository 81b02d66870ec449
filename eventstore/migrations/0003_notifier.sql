-- The notifier's alerts view: one row per alert (submission + channel), written in the same transaction
-- as the alert's events and rebuildable from the store (services/notifier/alert_view.py).
CREATE TABLE notifier_alerts (
    alert_id            uuid        PRIMARY KEY,
    reference           text        NOT NULL,
    channel             text        NOT NULL,
    priority            text        NOT NULL,
    alert               jsonb       NOT NULL,
    dispatched_at       timestamptz NOT NULL,
    dispatched_position bigint      NOT NULL,
    acknowledged_at     timestamptz,
    acknowledged_by     text,
    escalations         integer     NOT NULL DEFAULT 0,
    next_escalation_at  timestamptz,
    last_position       bigint      NOT NULL,
    UNIQUE (reference, channel)
);
CREATE INDEX notifier_alerts_open ON notifier_alerts (dispatched_position DESC) WHERE acknowledged_at IS NULL;
CREATE INDEX notifier_alerts_escalation_due ON notifier_alerts (next_escalation_at)
    WHERE acknowledged_at IS NULL AND next_escalation_at IS NOT NULL;

-- One row per configured webhook endpoint: its row lock (FOR UPDATE SKIP LOCKED) makes one replica
-- the deliverer of that endpoint at a time, which keeps its deliveries in order.
CREATE TABLE notifier_webhook_endpoints (
    name text PRIMARY KEY
);

-- The webhook outbox: written with AlertDispatched / AlertEscalated, worked by a background task.
CREATE TABLE notifier_webhook_deliveries (
    delivery_id     uuid        PRIMARY KEY,
    endpoint        text        NOT NULL,
    alert_id        uuid        NOT NULL,
    reference       text        NOT NULL,
    order_position  bigint      NOT NULL, -- store position of the grading or escalation: delivery order
    body            text        NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX notifier_webhook_pending ON notifier_webhook_deliveries (endpoint, order_position, created_at)
    WHERE state = 'pending';
