"""Bronze layer: sources, fingerprints, ffprobe metadata, sidecars, the scanner."""
