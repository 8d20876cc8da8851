"""Clarification: questions about a spec, triaged as answered, deferred or rejected."""
