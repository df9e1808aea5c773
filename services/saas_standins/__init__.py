"""Local stand-ins of the SaaS the social sample talks to (an Airtable calendar, a platform's
signed webhook), run by role saas_standins because the build machines cannot reach the real
ones. They are test tools, not the real services."""
