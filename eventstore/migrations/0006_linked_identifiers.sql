-- Linked intelligence: submissions sharing an identifier, keyed by its HMAC digest (never plaintext).
CREATE TABLE linked_identifiers (
    digest    text NOT NULL,
    type      text NOT NULL,
    reference text NOT NULL,
    PRIMARY KEY (digest, reference)
);
CREATE INDEX linked_identifiers_by_reference ON linked_identifiers (reference);
