-- The triage read view: one row per submission, rebuilt only from the event store.
CREATE TABLE triage_submissions (
    reference           text        PRIMARY KEY,
    status              text        NOT NULL,
    received_at         timestamptz NOT NULL,
    review_due_at       timestamptz NOT NULL,
    sanitised_at        timestamptz,
    graded_at           timestamptz,
    priority            text,
    categories          jsonb       NOT NULL DEFAULT '[]',
    grade               jsonb,
    intelligence_log    jsonb,
    partnership_summary jsonb,
    redaction_counts    jsonb,
    alert_state         text        NOT NULL DEFAULT 'none',
    last_position       bigint      NOT NULL
);
CREATE INDEX triage_by_deadline ON triage_submissions (review_due_at, reference);
CREATE INDEX triage_by_priority ON triage_submissions (priority, review_due_at);
