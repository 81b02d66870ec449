"""Intake: the form's JSON API; validates, seals personal data, records SubmissionReceived."""
