from __future__ import annotations

from dataclasses import dataclass

import pytest

from knowledge import services


@dataclass
class KB:
    """One tenant's cast: a requester, two authors (agents), two reviewers (supervisor, admin)."""

    tenant: object
    requester: object
    author: object
    other_author: object
    reviewer: object
    admin: object

    def draft(self, by=None, **data):
        data.setdefault("title", "打印机卡纸处理")
        data.setdefault("content", "# 打印机卡纸\n\n打开前盖，取出卡住的纸张。")
        return services.document_create(tenant=self.tenant, by=by or self.author, data=data)

    def published(self, by=None, **data):
        document = self.draft(by=by, **data)
        services.document_submit_review(document=document, by=by or self.author)
        reviewer = self.admin if (by or self.author) == self.reviewer else self.reviewer
        services.document_review(document=document, by=reviewer, action="approve")
        document.refresh_from_db()
        return document


def _cast(tenant, make_user, prefix):
    return KB(
        tenant=tenant,
        requester=make_user(tenant, "user", username=f"{prefix}req", real_name="陈用户"),
        author=make_user(tenant, "agent", username=f"{prefix}agent", real_name="王工程师"),
        other_author=make_user(tenant, "agent", username=f"{prefix}agent2", real_name="赵工程师"),
        reviewer=make_user(tenant, "supervisor", username=f"{prefix}sup", real_name="李主管"),
        admin=make_user(tenant, "admin", username=f"{prefix}admin", real_name="管理员"),
    )


@pytest.fixture
def kb(tenant_a, make_user):
    return _cast(tenant_a, make_user, "a_")


@pytest.fixture
def other_kb(tenant_b, make_user):
    return _cast(tenant_b, make_user, "b_")
