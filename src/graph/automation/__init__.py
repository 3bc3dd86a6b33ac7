"""Tag-triggered message sequences through the API (T5)."""
