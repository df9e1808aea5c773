"""Video archive sample: index videos in place, derive, catalog and search them.

Layers (medallion): ``ingestion`` (bronze: scan, fingerprint, probe), ``metadata_generation``
(silver: derivatives and quality checks), ``indexing`` (gold: embeddings and the semantic
index), with the PostgreSQL ``catalog`` underneath. Notebooks, Airflow and the CLI all call
``samples.video_archive.pipeline``.
"""
