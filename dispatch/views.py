"""Dispatch pages: the console (unassigned queue, suggestions with score bars and reasons,
one-click dispatch, batch preview: optimal plan against greedy), strategy and rule editors,
the workload board and the location view. Same selectors and services as the API."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from dispatch import engine as E
from dispatch import selectors, services
from dispatch.api import presenters as P
from dispatch.choices import RuleType
from dispatch.forms import ManualDispatchForm
from engineers import selectors as engineer_selectors
from engineers.choices import OnlineStatus
from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from tickets import selectors as ticket_selectors
from tickets.models import Ticket


def _ticket(request, pk):
    try:
        return ticket_selectors.tickets_for(request.user).select_related("category", "tenant").get(pk=int(pk))
    except (Ticket.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def page(request, template, tab, context):
    context = {**context, "tab": tab, "can_config": request.user.has_contract_permission("dispatch:config"),
               "can_batch": request.user.has_contract_permission("dispatch:batch"),
               "can_execute": request.user.has_contract_permission("dispatch:execute"),
               "can_manual": request.user.has_contract_permission("dispatch:manual")}  # fmt: skip
    return render(request, template, context)


def _error(request, error: DomainError):
    messages.error(request, str(error.message))


class ConsoleView(PortalPageMixin, View):
    """GET: the queue and, for ``?ticket=``, the suggestions (``explain`` always on here)."""

    required_permission = "dispatch:read"

    def get(self, request):
        queue = list(selectors.unassigned_queue(request.user))
        context = {"queue": queue, "selected": None}
        pk = request.GET.get("ticket") or (queue[0].pk if queue else None)
        if pk:
            ticket = _ticket(request, pk)
            strategy = request.GET.get("strategy") or None
            try:
                s = services.suggest(ticket=ticket, request=services.Request(strategy=strategy))
            except DomainError as error:
                _error(request, error)
                s = services.suggest(ticket=ticket, request=services.Request())
            body = P.suggestions(s, limit=10, explain=True)
            labels = dict(OnlineStatus.choices)  # the contract's word, in the page's language
            for row in body["suggestions"]:
                row["online_label"] = labels.get(row["engineer"]["online_status"], row["engineer"]["online_status"])
            codes = body["ticket_info"]["required_skills"]
            names = dict(engineer_selectors.skills_for(request.user).filter(code__in=codes).values_list("code", "name"))
            context.update(
                selected=ticket,
                body=body,
                required_skills=[(code, names.get(code, code)) for code in codes],
                strategies=selectors.strategies_for(request.user).filter(is_active=True),
                strategy=s.strategy,
                dispatchable=ticket.status == "new" and ticket.assigned_to_id is None,
            )
        return page(request, "dispatch/console.html", "console", context)


class DispatchActionView(PortalPageMixin, View):
    """POST: one-click dispatch of a ticket — to the best engineer (intelligent) or to the
    engineer picked from the suggestions (manual, with that engineer's warnings, and the
    API's ``notify_engineer`` choice)."""

    required_permission = "dispatch:read"

    def post(self, request, pk):
        ticket = _ticket(request, pk)
        strategy = request.POST.get("strategy") or None
        try:
            if "engineer_id" in request.POST:
                form = ManualDispatchForm(request.POST)
                if not form.is_valid():
                    raise Http404
                engineer = (
                    engineer_selectors.engineers_for(request.user).filter(pk=form.cleaned_data["engineer_id"]).first()
                )
                if engineer is None:
                    raise Http404
                record = services.dispatch_manual(
                    ticket=ticket, engineer=engineer, by=request.user, reason=_("Picked from the suggestions."),
                    notify_engineer=form.cleaned_data["notify_engineer"],
                )  # fmt: skip
            else:
                record, _s = services.dispatch_intelligent(
                    ticket=ticket, by=request.user, request=services.Request(strategy=strategy),
                    force=request.POST.get("force") == "1",
                )  # fmt: skip
        except DomainError as error:
            _error(request, error)
            return redirect(f"{reverse('dispatch:console')}?ticket={ticket.pk}")
        messages.success(
            request,
            _("%(number)s dispatched to %(name)s.") % {"number": ticket.number, "name": record.engineer.display_name},
        )
        for warning in record.warnings:
            messages.warning(request, warning)
        return redirect("dispatch:console")


class BatchView(PortalPageMixin, View):
    """POST ``preview``: the optimal plan next to greedy for the ticked tickets; POST
    ``execute``: dispatch that plan."""

    required_permission = "dispatch:batch"

    def post(self, request):
        ids = []
        for raw in request.POST.getlist("ticket_ids"):
            try:
                ids.append(int(raw))
            except ValueError:
                continue
        visible = set(ticket_selectors.tickets_for(request.user).filter(pk__in=ids).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk in visible]
        if not ids:
            messages.error(request, _("Tick at least one ticket."))
            return redirect("dispatch:console")
        req = services.Request(
            strategy=request.POST.get("strategy") or None,
            max_tickets_per_engineer=int(request.POST["max_per"])
            if request.POST.get("max_per", "").isdigit()
            else None,
        )
        try:
            if request.POST.get("action") == "execute":
                result = services.dispatch_batch(
                    tenant=request.user.tenant, by=request.user, ticket_ids=ids, request=req
                )
                body = P.batch(result)
                messages.success(
                    request,
                    _("Batch dispatch: %(assigned)s of %(total)s tickets assigned, total score %(score)s.")
                    % {"assigned": body["assigned"], "total": body["total_tickets"], "score": body["total_score"]},
                )
                return redirect("dispatch:console")
            result = services.batch_preview(tenant=request.user.tenant, by=request.user, ticket_ids=ids, request=req)
        except DomainError as error:
            _error(request, error)
            return redirect("dispatch:console")
        body = P.batch(result)
        numbers = {t.pk: t for t in Ticket.objects.filter(pk__in=ids)}
        names = {r.id: r.name for r in (result.pool.rows if result.pool else [])}
        for row in body["results"]:
            row["ticket"] = numbers[row["ticket_id"]]
            row["greedy_engineer_name"] = names.get(row.get("greedy_engineer_id"), "")
            row["differs"] = row.get("greedy_engineer_id") != row.get("engineer_id")
        gain = round(body["total_score"] - body["greedy_total_score"], 2)
        return page(
            request,
            "dispatch/batch.html",
            "console",
            {
                "body": body,
                "ids": ids,
                "gain": gain,
                "strategy": req.strategy or "",
                "max_per": req.max_tickets_per_engineer or "",
            },
        )


class ConfigView(PortalPageMixin, View):
    """Strategies (weights, default) and rules (conditions → actions)."""

    required_permission = "dispatch:config"

    def get(self, request):
        return page(
            request,
            "dispatch/config.html",
            "config",
            {
                "strategies": selectors.strategies_for(request.user),
                "rules": selectors.rules_for(request.user),
                "rule_types": RuleType.choices,
                "condition_keys": sorted(E.RULE_CONDITION_KEYS),
                "action_keys": sorted(E.RULE_ACTION_KEYS),
                "form": request.session.pop("dispatch_rule_form", None),
            },
        )

    def post(self, request):
        kind = request.POST.get("kind")
        try:
            if kind == "strategy":
                strategy = selectors.strategies_for(request.user).filter(code=request.POST.get("code")).first()
                if strategy is None:
                    raise Http404
                data = {"weight_config": {k: _int(request.POST.get(k)) for k in services.WEIGHT_KEYS}}
                if request.POST.get("make_default"):
                    data["is_default"] = True
                services.strategy_update(strategy=strategy, by=request.user, data=data)
                messages.success(request, _("Strategy %(name)s saved.") % {"name": strategy.name})
            elif kind == "rule":
                data = {
                    "name": request.POST.get("name", "").strip()[:128],
                    "rule_type": request.POST.get("rule_type")
                    if request.POST.get("rule_type") in RuleType.values
                    else "custom",
                    "priority": _int(request.POST.get("priority")) or 0,
                    "conditions": _json(request.POST.get("conditions"), "conditions"),
                    "actions": _json(request.POST.get("actions"), "actions"),
                }
                if not data["name"]:
                    raise DomainError(services.ErrorCode.VALIDATION_FAILED, _("Give the rule a name."), field="name")
                services.rule_create(tenant=request.user.tenant, by=request.user, data=data)
                messages.success(request, _("Rule created."))
            elif kind == "delete_rule":
                rule = selectors.rules_for(request.user).filter(pk=_int(request.POST.get("rule_id"))).first()
                if rule is None:
                    raise Http404
                services.rule_delete(rule=rule, by=request.user)
                messages.success(request, _("Rule deleted."))
        except DomainError as error:
            _error(request, error)
            if kind == "rule":
                request.session["dispatch_rule_form"] = {
                    k: request.POST.get(k, "") for k in ("name", "rule_type", "priority", "conditions", "actions")
                }
        return redirect("dispatch:config")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _json(text, field):
    text = (text or "").strip() or "{}"
    try:
        value = json.loads(text)
    except ValueError:
        raise DomainError(services.ErrorCode.VALIDATION_FAILED, _("Not valid JSON."), field=field) from None
    return value


class WorkloadView(PortalPageMixin, View):
    required_permission = "dispatch:read"

    def get(self, request):
        data = selectors.workload(request.user)
        return page(
            request,
            "dispatch/workload.html",
            "workload",
            {"data": data, "balance": selectors.load_balance_suggestions(request.user)},
        )


class LocationsView(PortalPageMixin, View):
    """Engineers grouped by city and district, with the distance to a chosen open ticket."""

    required_permission = "dispatch:read"

    def get(self, request):
        tickets = list(selectors.unassigned_queue(request.user, limit=50))
        located = [(t, services.ticket_location(t)) for t in tickets]
        located = [(t, p) for t, p in located if p["city"] or p["latitude"] is not None]
        engineers = selectors.locations(request.user)
        ref = request.GET.get("ref", "")
        reference = place = None
        if ref.startswith("e") and ref[1:].isdigit():
            reference = next((e for e in engineers if e.pk == int(ref[1:])), None)
            if reference is None:
                raise Http404
            place = {"city": reference.city, "district": reference.district,
                     "latitude": float(reference.latitude) if reference.latitude is not None else None,
                     "longitude": float(reference.longitude) if reference.longitude is not None else None}  # fmt: skip
        elif ref.startswith("t") and ref[1:].isdigit():
            reference = _ticket(request, ref[1:])
            place = services.ticket_location(reference)
        elif located:
            reference, place = located[0]
            ref = f"t{reference.pk}"
        if place is not None:
            rows = selectors.distance_match(request.user, place=place)
        else:
            rows = [{"engineer": e, "distance_km": None, "match": "", "location_score": None} for e in engineers]
        groups: dict[str, dict[str, list]] = {}
        for row in sorted(rows, key=lambda r: (r["engineer"].city or "~", r["engineer"].district or "~")):
            e = row["engineer"]
            groups.setdefault(e.city or _("(no city)"), {}).setdefault(e.district or _("(no district)"), []).append(row)
        for districts in groups.values():
            for members in districts.values():
                members.sort(key=lambda r: (r["distance_km"] is None, r["distance_km"] or 0))
        return page(
            request,
            "dispatch/locations.html",
            "locations",
            {
                "groups": groups,
                "ref": ref,
                "ticket_options": [
                    (f"t{t.pk}", f"{t.number} · {p['city']}{p['district']} · {t.title[:24]}") for t, p in located
                ],
                "engineer_options": [
                    (f"e{e.pk}", f"{e.display_name} · {e.city}{e.district}")
                    for e in engineers
                    if e.city or e.latitude is not None
                ],
            },
        )
