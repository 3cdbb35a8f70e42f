"""Offline French-to-English translation and glossary pipeline for news articles."""

__version__ = "0.1.0"
