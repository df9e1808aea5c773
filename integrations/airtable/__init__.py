"""Airtable content calendar (pyairtable)."""
