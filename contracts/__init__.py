"""Pydantic models of form AD 362 and of every event the pipeline records: no I/O."""
