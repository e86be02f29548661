"""Streamlit UI: panels and charts. Imports the model; the model never imports this."""
