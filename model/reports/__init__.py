"""Reports written from model results: the briefing."""
