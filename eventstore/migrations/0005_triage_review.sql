-- The triage view learns reviews, the review clock, analysts' status changes and erasure.
ALTER TABLE triage_submissions
    ADD COLUMN reviewed_at   timestamptz,
    ADD COLUMN breached      boolean NOT NULL DEFAULT false,
    ADD COLUMN assigned_team text,
    ADD COLUMN outcome       text,
    ADD COLUMN erased        boolean NOT NULL DEFAULT false;
CREATE INDEX triage_open_by_deadline ON triage_submissions (review_due_at)
    WHERE reviewed_at IS NULL AND NOT breached;
CREATE INDEX triage_by_categories ON triage_submissions USING gin (categories);
