"""Signing people in at their organisation's identity provider."""
