"""Screens, one module each; every screen gets the shared `Shell` (store, translator, navigation)."""
