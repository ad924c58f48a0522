"""Admin for this part of the app."""
