"""Gardarika: networks of small bilingual town websites built with Pelican."""

__version__ = "0.1.0"
