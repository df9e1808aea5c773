"""Our own long-running services: the social gateway and the local stand-ins of the SaaS."""
