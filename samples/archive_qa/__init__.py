"""Questions over the video archive, answered from its passages with sources (qa.py)."""
