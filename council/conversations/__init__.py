"""Conversations: comments and questions across the border on any record, in each side's language."""
