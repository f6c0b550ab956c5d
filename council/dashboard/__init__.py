"""The dashboards, "my work", the public portal and their figures."""
