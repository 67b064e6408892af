"""The room and everything stored: bodies, people, meetings, agenda, attendance, opinions, events."""
