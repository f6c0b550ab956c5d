"""Home: what needs the signed-in person now, sorted by urgency, with one-action items done in place."""
