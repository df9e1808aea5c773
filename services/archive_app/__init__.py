"""The archive app: a Streamlit front end over the video archive's API (app.py)."""
