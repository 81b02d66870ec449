"""The AD 362 web form that professionals fill in, served by intake at `/` (GOV.UK Design System)."""
