"""Client of our social gateway (services/social_gateway)."""
