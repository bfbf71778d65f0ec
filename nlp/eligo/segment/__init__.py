"""Segmentation: a trial's text -> sections -> one span per criterion.

``view`` makes a same-length reading view of the text (markdown escapes
blanked); ``sections`` finds the inclusion/exclusion headers and the region of a
page that holds the criteria; ``criteria`` splits each section into criteria.
"""
