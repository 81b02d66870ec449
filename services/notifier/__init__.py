"""Notifier: pushes HIGH and crime-not-intelligence gradings to the control room."""
