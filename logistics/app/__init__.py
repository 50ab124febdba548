"""The top floor: the command line, running jobs and writing outputs, batches, comparisons and demos.

``app`` may import every layer; nothing imports ``app``.
"""
