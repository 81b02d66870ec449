"""What every service shares: settings, sealing of personal data, the consumer runtime, auth, health."""
