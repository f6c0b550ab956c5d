"""Councils, countries, regions, organisations, people, working groups and memberships."""
