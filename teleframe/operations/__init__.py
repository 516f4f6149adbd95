"""Database-bound use cases between the HTTP and worker edges and the pure services."""
