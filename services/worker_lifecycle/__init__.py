"""A worker's way out: stop taking tasks, finish the running ones, then let the instance go."""
