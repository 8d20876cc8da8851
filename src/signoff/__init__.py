"""Signoff: a tech lead's control plane for teams that build with coding agents."""

__version__ = "0.1.0"
