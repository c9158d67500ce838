"""The ticket desk: lists with views and bulk actions, the ticket page, agents' tools (canned
responses, presence) and the custom form fields admin."""
