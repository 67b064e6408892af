"""会议记录 and 会议纪要 built from the record of the room: structured minutes, docx rendering, approval, archive.

Dependencies run one way: minutes → meeting → voting. :mod:`minutes.record` is pure; :mod:`minutes.docx` is the
only module that imports python-docx.
"""
