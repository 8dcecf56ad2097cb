"""Home page per role, and the small pages every user has."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import guide
from ..models import Bureau, CampaignYear, Role, Unit

# Home-page panels contributed by the areas of the product: each is a function
# (request) -> dict | None with keys "template" and the template's context; None hides it.
HOME_PANELS = []

# Panels show in this order of their modules: the leader's one-screen overview first, then what needs
# doing (open and overdue problems, then tasks and the letter), then the archive and the month's figures.
PANEL_ORDER = ["reports.home", "problems", "tasks", "letters", "activities", "reports.views.monthly"]


def _panel_rank(func):
    module = func.__module__
    for rank, name in enumerate(PANEL_ORDER):
        if module.endswith(name):
            return rank
    return len(PANEL_ORDER)


CACHE_SCOPES = (None, "units", "district")


def register_home_panel(func=None, *, cached=None):
    """Adds a home panel. A panel is worked out on every page view unless it declares what its HTML
    may be cached under (ledgers.versions): `cached="units"`, the data versions of the units the user
    sees; `cached="district"`, those of the user's whole district (a liaison's rank among its units).
    A cached panel may read only tables the data versions follow (a test refuses any other)."""
    if cached not in CACHE_SCOPES:
        raise ValueError(f"cached must be one of {CACHE_SCOPES}")

    def register(func):
        func.cached = cached
        HOME_PANELS.append(func)
        return func
    return register(func) if func else register


@login_required
def home(request):
    user = request.user
    # The panels are worked out as the page renders them, each unless cached ({% home_panels %}).
    context = {"year": CampaignYear.objects.current(), "panels": sorted(HOME_PANELS, key=_panel_rank)}
    if user.sees_all_units:
        units = Unit.objects.visible_to(user).active().annotate(
            liaison_count=Count("users", filter=Q(users__role=Role.LIAISON, users__is_active=True))
        )
        if user.is_city:
            # The city's own units here; each district's behind its line in the districts card.
            units = units.filter(bureau=user.owning_bureau())
            context["districts"] = Bureau.objects.districts().annotate(
                unit_count=Count("units", filter=Q(units__is_active=True))).order_by("sort_order", "pk")
        context["units"] = units
        return render(request, "ledgers/home_bureau.html", context)
    context["unit"] = user.unit
    return render(request, "ledgers/home_liaison.html", context)


@login_required
@require_safe
def user_guide(request):
    """帮助: the user guide, opened at the reader's own chapter."""
    return render(request, "ledgers/help.html",
                  {"guide": guide.guide_html(), "chapter": guide.chapter_for(request.user)})
