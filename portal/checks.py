"""System checks that keep the API layer honest."""

from django.core import checks


def _contract_views():
    from django.urls import get_resolver

    from portal.api.views import ContractViewMixin

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if view is not None and issubclass(view, ContractViewMixin):
                yield view

    yield from walk(get_resolver().url_patterns)


@checks.register(checks.Tags.urls)
def contract_views_keep_scoping(app_configs, **kwargs):
    """A contract view that overrides ``get_queryset`` would bypass tenant scoping."""
    from portal.api.views import ContractViewMixin

    errors = []
    for view in set(_contract_views()):
        for klass in view.__mro__:
            if klass is ContractViewMixin:
                break
            if "get_queryset" in vars(klass):
                errors.append(
                    checks.Error(
                        f"{view.__module__}.{view.__name__} overrides get_queryset(); "
                        "override get_base_queryset() so that tenant scoping still applies.",
                        id="portal.E001",
                    )
                )
                break
    return errors
