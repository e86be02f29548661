"""The scenario schema: validates a scenario document and maps it to parameter rows for the core."""
