"""The gateway's routes by audience: ``posts`` for publishing clients, ``ops`` for operators."""
