"""Renderings of eligo's results for people and files.

- :mod:`.document`: a Document as constraint lines (the table, the audit) and
  as the offline HTML view (``eligo render``, the page of ``eligo serve``),
  with its template :mod:`.view_template`.
- :mod:`.match`: a match report as a terminal table (``eligo match``).
- :mod:`.writers`: the writers of ``eligo parse`` (JSON Lines, a JSON array, a
  table).
"""
