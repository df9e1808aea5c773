"""A task-list agent over the archive (the BabyAGI pattern) with tools: search, describe,
find scenes, cut a clip, draft a social post. See agent.py."""
