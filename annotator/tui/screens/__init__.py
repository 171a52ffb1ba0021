"""Screens: start (who are you), annotate, and the modal help and flag dialogs."""
