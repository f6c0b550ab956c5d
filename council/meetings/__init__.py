"""Meetings: scheduling, invitations, the agenda, attendance, minutes and decisions."""
