"""Test support: fresh databases, a real server process, the Flet fake client."""
