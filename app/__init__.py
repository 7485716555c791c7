"""Canonym: entity-name normalization and spelling-variant matching."""

__version__ = "0.1.0"
