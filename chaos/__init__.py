"""Chaos and load runs against the whole stack as processes: faults mid-flow, replicas, poison, rising rates."""
