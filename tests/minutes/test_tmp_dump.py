from meeting.db import read_only
from minutes import docx as render
from minutes import service


def test_dump(factory, texts):
    with factory.app.app_context(), read_only() as s:
        m = service.structured(s, texts.meeting_id)
    for k in ("summary", "record", "public"):
        open(f"/tmp/dlx/{k}.docx", "wb").write(render.render(m, k))
