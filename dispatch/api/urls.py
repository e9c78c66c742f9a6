from django.urls import path

from dispatch.api import v1

v1_urlpatterns = [
    path("dispatch/intelligent", v1.IntelligentDispatchView.as_view(), name="v1-dispatch-intelligent"),
    path("dispatch/suggestions/<int:ticket_id>", v1.SuggestionsView.as_view(), name="v1-dispatch-suggestions"),
    path("dispatch/batch", v1.BatchDispatchView.as_view(), name="v1-dispatch-batch"),
    path("dispatch/strategies", v1.StrategyListView.as_view(), name="v1-dispatch-strategies"),
    path("dispatch/strategies/<slug:strategy_code>", v1.StrategyDetailView.as_view(), name="v1-dispatch-strategy"),
    path("dispatch/rules", v1.RuleListView.as_view(), name="v1-dispatch-rules"),
    path("dispatch/rules/<int:pk>", v1.RuleDetailView.as_view(), name="v1-dispatch-rule"),
    path("dispatch/workload", v1.WorkloadView.as_view(), name="v1-dispatch-workload"),
    path("dispatch/load-balance-suggestions", v1.LoadBalanceView.as_view(), name="v1-dispatch-load-balance"),
    path("dispatch/statistics/overview", v1.StatisticsOverviewView.as_view(), name="v1-dispatch-statistics"),
    path("dispatch/analytics/effectiveness", v1.EffectivenessView.as_view(), name="v1-dispatch-effectiveness"),
    path("dispatch/manual", v1.ManualDispatchView.as_view(), name="v1-dispatch-manual"),
    path("dispatch/<int:dispatch_id>/revoke", v1.RevokeView.as_view(), name="v1-dispatch-revoke"),
    path("dispatch/locations", v1.LocationsView.as_view(), name="v1-dispatch-locations"),
    path("dispatch/distance-match", v1.DistanceMatchView.as_view(), name="v1-dispatch-distance-match"),
]
