"""Protocol-level load test of the Streamlit app: a browser-like websocket client and Locust users."""
