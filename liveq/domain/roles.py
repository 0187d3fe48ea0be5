"""Who may do what: the roles of liveq's accounts and API tokens."""

ROLES = ("admin", "moderator", "approver", "presenter")
# Roles that may run the moderation queue.
MODERATING_ROLES = frozenset({"admin", "moderator"})
# Roles that may sign off a procedure's script (the approving physician).
APPROVING_ROLES = frozenset({"admin", "approver"})
