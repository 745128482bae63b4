"""The HTTP service: app assembly, problem+json errors, request limits."""
