"""Real servers the integration tests start on loopback (see llm_server.py)."""
