"""The video archive's web service: search, browse, play and annotate the catalog."""
