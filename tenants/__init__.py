"""Workspaces (tenants), their domains, and instant provisioning from a template schema."""
