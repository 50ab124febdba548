"""Reading and writing the outside world's files: classic instances, VROOM, 2E ``.dat`` and job files.

``formats`` imports ``core`` only, never ``engine``: reading a file never starts a search.
"""
