"""The pipeline's services: intake, sanitiser, grader, notifier and triage."""
