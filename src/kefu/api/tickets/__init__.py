"""``/api/v1/tickets``: tickets for staff tools and integrations, authenticated by API token.

    Authorization: Bearer kefu_...

Every call acts as the token's owner (owner, admin or agent of this workspace) with that role's
rights: agents list, read, change and answer tickets; assigning to someone else is for admins.
An integration opens a ticket for a customer by naming the requester; customers themselves use
the help center (their session or an old token gets 403 here). No cookie authenticates, so
there is nothing for CSRF to protect.

Errors are ``{"error": {"code", "message", "fields"}}`` with 400 (invalid input), 401 (no or
bad token), 403 (role), 404 (no such ticket in this workspace) and 405.
"""
