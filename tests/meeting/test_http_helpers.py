"""The request helpers every page and API route shares (meeting/http.py, execution.ledger.filter_from): where
their former copies disagreed, the behaviour a user expects — text stripped, a bad date or number refused by
name — holds on every path."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from meeting.db import unit_of_work
from meeting.errors import InvalidPayload
from meeting.http import date_arg, form_data, has_credentials, int_arg
from meeting.models import User
from tests.execution.supervision_fixtures import client_for

# ---------------------------------------------------------------- the helpers themselves


def test_form_data_strips_text_and_leaves_out_what_is_empty(app):
    form = MultiDict(
        [
            ("name", "  区教育局 \n"),
            ("blank", "   "),
            ("public", "on"),
            ("active", ""),
            ("units", " 区财政局，区住建局、 "),
            ("units", "区水务局"),
        ]
    )
    with app.test_request_context():
        data = form_data("name", "blank", "missing", bools=("public", "active"), lists=("units",), form=form)
    assert data == {"name": "区教育局", "public": True, "active": False, "units": ["区财政局", "区住建局", "区水务局"]}


@pytest.mark.parametrize(
    "raw, message",
    [
        ("2024-13-01", "due_before: 日期格式应为"),
        ("x", "due_before: 日期格式应为"),
        ("0001-01-01", "due_before: 应在 1900–2999 年之间"),
    ],
)
def test_a_bad_date_is_refused_naming_the_parameter(app, raw, message):
    with app.test_request_context(), pytest.raises(InvalidPayload) as err:
        date_arg("due_before", {"due_before": raw})
    assert err.value.http_status == 400 and message in err.value.message


def test_an_absent_or_empty_date_or_number_is_no_filter(app):
    with app.test_request_context():
        assert date_arg("d", {}) is None and date_arg("d", {"d": "  "}) is None
        assert date_arg("d", {"d": " 2024-03-31 "}) == date(2024, 3, 31)
        assert int_arg("n", {"n": ""}) is None and int_arg("n", {"n": " 7 "}) == 7
        for raw in ("x", "18446744073709551616", "0"):
            with pytest.raises(InvalidPayload, match="n: "):
                int_arg("n", {"n": raw})


def test_an_api_token_counts_as_signed_in(app):
    with app.test_request_context(headers={"Authorization": "Bearer ysk_x"}):
        assert has_credentials()
    with app.test_request_context():
        assert not has_credentials()


# ---------------------------------------------------------------- the ledger's one filter


def test_the_ledger_filter_reads_every_name_its_copies_read(app):
    from execution.ledger import filter_from

    f = filter_from({"unit": "3", "meeting": "4", "keyword": "  背街小巷 ", "leader": " 张副区长 ", "source": "npc"})
    assert (f.unit_id, f.meeting_id, f.keyword, f.leader, f.source) == (3, 4, "背街小巷", "张副区长", "npc")
    f = filter_from({"unit_id": "5", "q": "x" * 300, "due_after": "2024-01-01"})
    assert f.unit_id == 5 and len(f.keyword) == 100 and f.due_after == date(2024, 1, 1)


@pytest.mark.parametrize(
    "path",
    [
        "/execution/?due_before=2024-13-01",
        "/supervision/ledger.xlsx?due_before=2024-13-01",
        "/api/v1/execution/assignments?due_before=2024-13-01",
    ],
)
def test_a_bad_date_on_the_ledger_is_a_refusal_naming_it_on_every_path(app, factory, path):
    office = client_for(app, factory, "ducha", role="supervisor")
    resp = office.get(path)
    assert resp.status_code == 400, resp.status_code
    assert "due_before" in resp.get_data(as_text=True)


def test_the_ledger_page_refuses_a_unit_number_it_cannot_use(app, factory):
    office = client_for(app, factory, "ducha", role="supervisor")
    assert office.get("/execution/?unit_id=18446744073709551616").status_code == 400
    assert office.get("/execution/?unit_id=").status_code == 200


def test_an_api_token_reaches_the_supervision_pages_and_the_ledger_alike(app, factory):
    """Both decorators once differed: one sent a token's caller to the sign-in page."""
    from meeting.auth import new_api_token

    with app.app_context(), unit_of_work() as s:
        user = User(username="oa", display_name="办公系统", password_hash="!api-only")
        s.add(user)
        s.flush()
        token = new_api_token(s, user, "oa")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    for path in ("/execution/", "/supervision/ledger.xlsx"):
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.status_code, resp.headers.get("Location"))
    anonymous = app.test_client()
    assert anonymous.get("/execution/").status_code in (302, 303)


# ---------------------------------------------------------------- the archive


def test_the_archive_says_which_date_it_could_not_read(http):
    resp = http.get("/minutes/archive?from=not-a-date&to=2024-01-01")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'data-testid="filter-refused"' in page and "from: " in page
    assert "to: " not in page
