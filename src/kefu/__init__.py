"""Kefu (客服): a self-service-first, multi-tenant support desk."""

__version__ = "0.1.0"
