"""The ticket search machinery (``filtersets.search_q`` + ``selectors.ticket_search``) that the
lists and the global search share: only each rank's best ``limit`` tickets are read, and
one- and two-character queries (most Chinese words) are served by the gram indexes on
PostgreSQL — with the same matches and the same order as scoring every match."""

from __future__ import annotations

import pytest
from django.db import connection

from tickets import selectors
from tickets.filtersets import search_q
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _ranked_cast(desk, other_desk, q):
    """One visible ticket per rank (two for the prefix rank, older first), a ticket that does
    not match, and matching tickets the admin of ``desk`` may not see (another tenant)."""
    other_desk.ticket(title=q)  # another tenant: never found
    made = {}
    made["description"] = desk.ticket(title="其它事项", description=f"机房{q}故障")
    made["customer"] = desk.ticket(title="其它事项", description="无", customer_name=f"{q}部")
    made["title"] = desk.ticket(title=f"公司{q}慢", description="无")
    made["prefix_old"] = desk.ticket(title=f"{q}中断", description="无")
    made["prefix_new"] = desk.ticket(title=f"{q}中断了", description="无")
    made["exact"] = desk.ticket(title=q, description="无")
    desk.ticket(title="打印机卡纸", description="无关")  # no match
    return made


@pytest.mark.parametrize("q", ["网", "网络", "网络设备"])  # grams (1, 2 characters) and trigrams
@pytest.mark.parametrize("probe", [100, 1])  # every rank complete / every rank read newest first
def test_ranks_best_first_and_any_limit_gives_the_head_of_the_same_order(
    desk, other_desk, q, probe, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(selectors, "SEARCH_PROBE", probe)
    made = _ranked_cast(desk, other_desk, q)
    expected = [
        (made["exact"].pk, 0.95),
        (made["prefix_new"].pk, 0.9),
        (made["prefix_old"].pk, 0.9),
        (made["title"].pk, 0.8),
        (made["customer"].pk, 0.6),
        (made["description"].pk, 0.5),
    ]
    for limit in (1, 2, 3, 4, 5, 6, 50):
        with django_assert_max_num_queries(3):  # whatever the number of matches
            found = selectors.ticket_search(user=desk.admin, text=q, limit=limit)
        assert [(t.pk, t.search_score) for t in found] == expected[:limit], limit


def test_exact_number_ranks_first_and_a_number_fragment_after_title_matches(desk):
    target = desk.ticket(title="其它", description="无")
    fragment = target.number[-2:]  # two characters: the gram path on PostgreSQL
    in_title = desk.ticket(title=f"见工单 {fragment}", description="无")
    exact = selectors.ticket_search(user=desk.admin, text=target.number.lower())
    assert (exact[0].pk, exact[0].search_score) == (target.pk, 1.0)
    ranked = [(t.pk, t.search_score) for t in selectors.ticket_search(user=desk.admin, text=fragment)]
    assert ranked.index((in_title.pk, 0.8)) < ranked.index((target.pk, 0.7))


def test_short_queries_match_case_insensitively_and_keep_each_users_visibility(desk, other_desk):
    mine = desk.ticket(title="VPN 断开", description="无")
    theirs = desk.ticket(by=desk.other_requester, title="vpn 又断开", description="无")
    other_desk.ticket(title="VPN 乙租户", description="无")

    assert [t.pk for t in selectors.ticket_search(user=desk.requester, text="vp")] == [mine.pk]
    assert {t.pk for t in selectors.ticket_search(user=desk.supervisor, text="Vp")} == {mine.pk, theirs.pk}
    # an agent sees unassigned tickets and their own, never another agent's
    desk.assigned(to=desk.other_agent, title="VPN 别人的", description="无")
    agent_sees = {t.title for t in selectors.ticket_search(user=desk.agent, text="vp")}
    assert agent_sees == {"VPN 断开", "vpn 又断开"}


def test_the_list_search_finds_two_character_words_in_every_field(desk, api):
    by_customer = desk.ticket(title="其它", description="无", customer_name="张三")
    by_title = desk.ticket(title="张三的电脑", description="无")
    by_phone = desk.ticket(title="其它", description="无", customer_phone="13912345678")
    desk.ticket(title="李四的电脑", description="无", customer_name="李四")

    def ids(query):
        response = api(desk.supervisor).get(f"/api/tickets?{query}")
        assert response.status_code == 200, response.json()
        return {t["id"] for t in response.json()["data"]}

    assert ids("search=张三") == {by_customer.pk, by_title.pk}
    assert ids("search=39") == {by_phone.pk}
    assert ids("search=%25") == set()  # a LIKE wildcard is a character like any other


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram indexes exist on PostgreSQL only")
@pytest.mark.parametrize("column", ["title", "description", "customer_name", "customer_phone"])
def test_a_two_character_query_can_be_answered_from_the_gram_index(desk, column):
    """The query's expression must be the index's, or PostgreSQL reads the whole table."""
    desk.ticket(title="张三的电脑", description="无")
    # nothing but the search condition, so that no other index competes for the plan
    queryset = Ticket.all_objects.filter(search_q("张三", (column,))).order_by()
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"ticket_grams_{column}" in plan, plan
