"""The social gateway: one HTTP API in front of the social platforms (issue 6)."""
