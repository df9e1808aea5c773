"""Worker scaling: how many Airflow Celery workers a queue's group should have (``decision.py``)."""
