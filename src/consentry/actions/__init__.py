"""Actions for the platform: action requests, webhook endpoints, the outbox and its
signed delivery."""
