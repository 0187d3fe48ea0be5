"""Several liveq processes as one: the change bus, job leases and shared limits (Redis)."""
