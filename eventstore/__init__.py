"""The append-only, hash-chained event store on PostgreSQL, its relay to JetStream and its projections."""
