"""What an operator needs: the status page, Prometheus metrics, proven backups (README, "Operations")."""
