"""The permission codes of the Portal API v1 contract, and what the built-in roles grant.

This is the single source for both: the data migrations load it (``sync_permissions``) and the
tenant provisioning service creates every tenant's built-in roles from ``BUILTIN_ROLES``.
Adding a code means adding it here and a migration that calls ``sync_permissions`` again.
"""

from __future__ import annotations

# resource -> (Chinese, English, module in Chinese)
RESOURCES: dict[str, tuple[str, str, str]] = {
    "ticket": ("工单", "ticket", "工单管理"),
    "ticket:category": ("工单分类", "ticket category", "工单管理"),
    "dispatch": ("派单", "dispatch", "智能派单"),
    "engineer": ("工程师", "engineer", "工程师管理"),
    "skill": ("技能", "skill", "工程师管理"),
    "knowledge": ("知识文档", "knowledge document", "知识库"),
    "knowledge:category": ("知识分类", "knowledge category", "知识库"),
    "dashboard": ("仪表板", "dashboard", "工作台"),
    "task": ("待办任务", "task", "工作台"),
    "notification": ("通知", "notification", "消息通知"),
    "search": ("全局搜索", "global search", "工作台"),
    "user": ("用户", "user", "用户与权限"),
    "role": ("角色", "role", "用户与权限"),
    "permission": ("权限", "permission", "用户与权限"),
    "department": ("部门", "department", "用户与权限"),
    "session": ("会话", "session", "用户与权限"),
    "audit": ("审计日志", "audit log", "审计"),
    "config": ("系统配置", "system configuration", "系统管理"),
    "monitor": ("监控指标", "monitoring", "系统管理"),
    "system:config": ("系统配置项", "system setting", "系统管理"),
    "system:module": ("功能模块", "module", "系统管理"),
    "system:announcement": ("系统公告", "announcement", "系统管理"),
    "system:maintenance": ("维护模式", "maintenance mode", "系统管理"),
    "system:task": ("定时任务", "scheduled task", "系统管理"),
    "system:monitor": ("系统状态", "system status", "系统管理"),
    "system:audit": ("操作审计", "operation audit", "系统管理"),
    "system:tenant": ("租户", "tenant", "租户管理"),
}

# The module names above, in English (the catalogue stores the Chinese one on each row).
MODULE_NAMES_EN: dict[str, str] = {
    "工单管理": "Tickets",
    "智能派单": "Dispatch",
    "工程师管理": "Engineers",
    "知识库": "Knowledge base",
    "工作台": "Workbench",
    "消息通知": "Notifications",
    "用户与权限": "Users and permissions",
    "审计": "Audit",
    "系统管理": "System administration",
    "租户管理": "Tenants",
}

# action -> (Chinese verb, English verb)
ACTIONS: dict[str, tuple[str, str]] = {
    "read": ("查看", "View"),
    "create": ("创建", "Create"),
    "update": ("更新", "Update"),
    "delete": ("删除", "Delete"),
    "assign": ("分配", "Assign"),
    "accept": ("接受", "Accept"),
    "reject": ("拒绝", "Reject"),
    "process": ("处理", "Process"),
    "resolve": ("解决", "Resolve"),
    "close": ("关闭", "Close"),
    "comment": ("评论", "Comment on"),
    "upload": ("上传附件到", "Upload attachments to"),
    "statistics": ("统计", "View statistics of"),
    "execute": ("执行", "Execute"),
    "config": ("配置", "Configure"),
    "batch": ("批量执行", "Batch-run"),
    "manual": ("手动执行", "Manually run"),
    "revoke": ("撤销", "Revoke"),
    "update-status": ("更新状态", "Update status of"),
    "assess": ("评估", "Assess"),
    "review": ("审核", "Review"),
    "submit-review": ("提交审核", "Submit for review"),
    "rate": ("评价", "Rate"),
    "write": ("编辑", "Edit"),
    "reset-password": ("重置密码", "Reset password of"),
}

# Every permission code the v1 contract names (plus the few CRUD siblings the identity and
# tickets features need: role:update/delete, department:update/delete, ticket:category:*).
PERMISSION_CODES: list[str] = [
    "ticket:read", "ticket:create", "ticket:update", "ticket:delete", "ticket:assign",
    "ticket:accept", "ticket:reject", "ticket:process", "ticket:resolve", "ticket:close",
    "ticket:comment", "ticket:upload", "ticket:statistics",
    "ticket:category:read", "ticket:category:create",
    "dispatch:read", "dispatch:execute", "dispatch:batch", "dispatch:config", "dispatch:manual",
    "dispatch:revoke", "dispatch:statistics",
    "engineer:read", "engineer:create", "engineer:update", "engineer:update-status", "engineer:assess",
    "skill:read",
    "knowledge:read", "knowledge:create", "knowledge:update", "knowledge:delete", "knowledge:review",
    "knowledge:submit-review", "knowledge:rate", "knowledge:statistics", "knowledge:category:create",
    "dashboard:read", "dashboard:write", "dashboard:delete",
    "task:read", "task:update",
    "notification:read", "notification:update",
    "search:read",
    "user:read", "user:create", "user:update", "user:delete", "user:reset-password",
    "role:read", "role:create", "role:update", "role:delete",
    "permission:read",
    "department:read", "department:create", "department:update", "department:delete",
    "session:read", "session:delete",
    "audit:read",
    "config:read", "config:update",
    "monitor:read",
    "system:config:read", "system:config:update",
    "system:module:read", "system:module:update",
    "system:announcement:read", "system:announcement:create",
    "system:maintenance:read", "system:maintenance:update",
    "system:task:read", "system:task:create", "system:task:execute",
    "system:monitor:read",
    "system:audit:read",
    "system:tenant:read", "system:tenant:create", "system:tenant:update", "system:tenant:delete",
]  # fmt: skip

PLATFORM_ONLY_PREFIXES = ("system:tenant:",)

# resource -> the switchable feature module (``portal.modules``) that owns it; resources not
# listed belong to the core and are always offered.
RESOURCE_MODULES: dict[str, str] = {
    "ticket": "ticket_management",
    "ticket:category": "ticket_management",
    "dispatch": "dispatch",
    "engineer": "engineer_management",
    "skill": "engineer_management",
    "knowledge": "knowledge_base",
    "knowledge:category": "knowledge_base",
    "notification": "notification",
    "user": "user_management",
    "role": "user_management",
    "permission": "user_management",
    "department": "user_management",
    "session": "user_management",
}


def module_of_code(code: str) -> str | None:
    """The feature module a permission code belongs to (``None``: the core's)."""
    return RESOURCE_MODULES.get(split_code(code)[0])


def split_code(code: str) -> tuple[str, str]:
    resource, _, action = code.rpartition(":")
    return resource, action


def describe(code: str) -> dict:
    """The catalogue row for one code: names in both languages, resource, action and module."""
    resource, action = split_code(code)
    res_zh, res_en, module = RESOURCES[resource]
    act_zh, act_en = ACTIONS[action]
    return {
        "code": code,
        "name": f"{act_zh}{res_zh}",
        "name_en": f"{act_en} {res_en}",
        "resource_type": resource,
        "action_type": action,
        "module": module,
        "is_system": code.startswith("system:"),
    }


def _codes(*prefixes: str, actions: tuple[str, ...] | None = None) -> set[str]:
    out = set()
    for code in PERMISSION_CODES:
        resource, action = split_code(code)
        if resource in prefixes and (actions is None or action in actions):
            out.add(code)
    return out


_REQUESTER = {
    "ticket:read", "ticket:create", "ticket:comment", "ticket:upload", "ticket:close",
    "ticket:category:read", "knowledge:read", "knowledge:rate", "dashboard:read", "dashboard:write",
    "dashboard:delete", "task:read", "task:update", "notification:read", "notification:update",
    "search:read",
}  # fmt: skip
_AGENT = _REQUESTER | {
    "ticket:update", "ticket:accept", "ticket:reject", "ticket:process", "ticket:resolve",
    "ticket:assign", "dispatch:read", "engineer:read", "engineer:update-status", "skill:read",
    "knowledge:create", "knowledge:update", "knowledge:submit-review", "user:read", "department:read",
}  # fmt: skip
_SUPERVISOR = (
    _AGENT
    | _codes("ticket", "dispatch", "engineer", "knowledge", "knowledge:category", "ticket:category")
    | {"role:read", "permission:read", "session:read", "audit:read", "monitor:read"}
)
_ADMIN = {code for code in PERMISSION_CODES if not code.startswith(PLATFORM_ONLY_PREFIXES)}

# code -> (Chinese name, English name, permission codes). Order is rank: the desk contract's
# ``role`` field is the highest built-in role a user holds.
BUILTIN_ROLES: dict[str, tuple[str, str, set[str]]] = {
    "user": ("普通用户", "Requester", _REQUESTER),
    "agent": ("工程师", "Agent", _AGENT),
    "supervisor": ("主管", "Supervisor", _SUPERVISOR),
    "admin": ("租户管理员", "Tenant administrator", _ADMIN),
}
BUILTIN_ROLE_RANK = list(BUILTIN_ROLES)
PLATFORM_ROLE = "super_admin"


def sync_permissions(permission_model) -> None:
    """Create or update every catalogue code (idempotent; usable from migrations)."""
    for code in PERMISSION_CODES:
        row = describe(code)
        permission_model.objects.update_or_create(code=code, defaults=row)
