-- One round trip appends: take the head row lock, check the stream's version, chain and insert the rows,
-- move the head and notify followers. The writer prepares everything else (the content digests) before
-- calling, so the lock that orders every append is held for one statement and the caller's commit.
-- A link is sha256(previous || position || stream_version || content digest); eventstore/chain.py recomputes it.
-- With a claim (handler, message id) it first records the handler's receipt and appends nothing, returning
-- no row, if that handler already recorded that message: run alone in autocommit, the receipt and the events
-- commit together in one statement and the lock is never held across a round trip to the client.
CREATE FUNCTION cpi_append(
    p_stream_id        text,
    p_expected_version integer,
    p_event_ids        uuid[],
    p_types            text[],
    p_schema_versions  integer[],
    p_recorded_at      timestamptz,
    p_causation_ids    uuid[],
    p_correlation_ids  text[],
    p_actors           text[],
    p_trace_contexts   text[],
    p_payloads         text[],
    p_content_digests  bytea[],
    p_claim_handler    text DEFAULT NULL,
    p_claim_message    uuid DEFAULT NULL
) RETURNS TABLE (first_position bigint, first_version integer) LANGUAGE plpgsql AS $$
DECLARE
    head_position bigint;
    head_hash     bytea;
    version       integer;
BEGIN
    IF p_claim_handler IS NOT NULL THEN
        INSERT INTO handler_receipts (handler, message_id) VALUES (p_claim_handler, p_claim_message)
            ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    SELECT h.position, h.hash INTO head_position, head_hash FROM event_store_head h FOR UPDATE;
    -- A statement of its own after the lock: in READ COMMITTED it sees every append committed before.
    SELECT coalesce(max(e.stream_version), 0) INTO version FROM events e WHERE e.stream_id = p_stream_id;
    IF p_expected_version <> -1 AND version <> p_expected_version THEN
        RAISE EXCEPTION 'stream % is at version %, expected %', p_stream_id, version, p_expected_version
            USING ERRCODE = 'CPI01', DETAIL = version::text;
    END IF;
    first_position := head_position + 1;
    first_version := version + 1;
    FOR i IN 1 .. cardinality(p_event_ids) LOOP
        head_position := head_position + 1;
        version := version + 1;
        head_hash := sha256(head_hash || int8send(head_position) || int8send(version::bigint) || p_content_digests[i]);
        INSERT INTO events (position, event_id, stream_id, stream_version, type, schema_version, recorded_at,
                            causation_id, correlation_id, actor, trace_context, payload, hash)
        VALUES (head_position, p_event_ids[i], p_stream_id, version, p_types[i], p_schema_versions[i], p_recorded_at,
                p_causation_ids[i], p_correlation_ids[i], p_actors[i], p_trace_contexts[i]::jsonb,
                p_payloads[i]::jsonb, head_hash);
    END LOOP;
    UPDATE event_store_head SET position = head_position, hash = head_hash;
    -- The new head and the kinds of event appended, so a listener can ignore what it does not follow.
    PERFORM pg_notify('cpi_events', head_position::text || ' ' ||
                      (SELECT string_agg(DISTINCT t, ',') FROM unnest(p_types) AS t));
    RETURN NEXT;
END;
$$;
