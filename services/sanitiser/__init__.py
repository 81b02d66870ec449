"""Sanitiser: opens a sealed submission and records what police and partners may see of it."""
