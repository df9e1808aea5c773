"""PostgreSQL access shared by the platform's samples: connections, migrations, test clusters."""

from integrations.postgres.client import CatalogUnavailableError, connect
from integrations.postgres.migrations import MigrationError, apply_migrations, current_version

__all__ = [
    "CatalogUnavailableError",
    "MigrationError",
    "apply_migrations",
    "connect",
    "current_version",
]
