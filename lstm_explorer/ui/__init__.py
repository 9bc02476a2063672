"""Qt views and the main window."""
