"""The organisation overview (DESIGN §1, issue 16): anonymous aggregates for management."""
