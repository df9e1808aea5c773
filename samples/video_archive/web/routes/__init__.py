"""The service's routes, one module per audience: people (pages, login), programs (api),
operators (ops)."""
