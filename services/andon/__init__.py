"""Andon service: stop-the-line pulls, manual and automatic, and their tickets."""
