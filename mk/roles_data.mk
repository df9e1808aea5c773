# Molecule scenarios of the data-service roles (issue 8); `make molecule` runs each.
MOLECULE_SCENARIOS += postgres weaviate
