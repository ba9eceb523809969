"""Reusable controls of the reporting flow: form fields, photos, location, signature, sync status."""
