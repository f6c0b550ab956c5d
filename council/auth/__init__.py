"""Sign-in, invitations, password reset, and the one place that answers "may this user do that"."""
