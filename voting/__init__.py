"""The rule kernel of Yishi: pure functions over plain values.

No Flask, no database. Every rule cites its source in its docstring; the meeting service loads the stored
record, asks these functions, and saves. The same functions serve the live room, the JSON API and the minutes.
"""
