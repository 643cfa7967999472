"""Repositories over one SQLAlchemy session (the unit of work's), one module per part of the
business, as the ports are."""
