-- The event store: append-only, gap-free positions, a SHA-256 chain over every row.
CREATE TABLE events (
    position        bigint      PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version > 0),
    type            text        NOT NULL,
    schema_version  integer     NOT NULL,
    recorded_at     timestamptz NOT NULL,
    causation_id    uuid,
    correlation_id  text        NOT NULL,
    actor           text        NOT NULL,
    trace_context   jsonb       NOT NULL,
    payload         jsonb       NOT NULL,
    hash            bytea       NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_by_correlation ON events (correlation_id, position);
CREATE INDEX events_by_type ON events (type, position);

-- One row: the last position and hash. Its row lock serialises appends, so positions commit in order.
CREATE TABLE event_store_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL,
    hash      bytea   NOT NULL
);
INSERT INTO event_store_head (position, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event store is append-only: % on events is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER events_are_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_event_change();
CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();

-- Which incoming messages each handler has already turned into events (idempotency).
CREATE TABLE handler_receipts (
    handler     text        NOT NULL,
    message_id  uuid        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (handler, message_id)
);

-- Per-submission data keys, wrapped by a master key. Deleting a row crypto-shreds that submission.
CREATE TABLE data_keys (
    key_id        uuid        PRIMARY KEY,
    reference     text        NOT NULL UNIQUE,
    master_key_id text        NOT NULL,
    wrapped_key   bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Idempotency-Key header of intake: a keyed digest of the key and of the request body.
CREATE TABLE idempotency_keys (
    key_digest     bytea       PRIMARY KEY,
    request_digest bytea       NOT NULL,
    reference      text        NOT NULL,
    received_at    timestamptz NOT NULL
);

-- Where each follower of the store (the relay, each projection) has got to.
CREATE TABLE checkpoints (
    name       text        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
