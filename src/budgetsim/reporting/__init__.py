"""Explaining and reporting: bridges, the model's description of itself, plots, Excel and HTML."""
