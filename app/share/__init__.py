"""Sharing and trust: URL state, import/export of the original app's JSON, PNG, gradient-check card, keyboard shortcuts, themes, notices."""
