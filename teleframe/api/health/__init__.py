"""Health and metrics for load balancers and Prometheus."""
