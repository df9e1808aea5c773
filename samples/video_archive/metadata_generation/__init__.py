"""Silver layer: posters, sprites, scene cuts, proxies, perceptual hashes, quality checks."""
