"""{% versioned "name" %} … {% endversioned %}: a part of a page rendered once per data version.

The part is cached by ledgers.versions for this user (as they are now: role, unit and bureau are
part of the key) and this exact URL (filters and page number
included) until a record of the units the user sees, a shared table or the date changes; with
`{% versioned "name" every_unit %}` until a record of any unit changes (for a part that reads other
units' records, e.g. photos reused in another unit's archive), `{% versioned "name" district %}`
until a record of the district's units changes (for a liaison's rank among them). Querysets
that only the part iterates are not read at all when it is cached. The part must not hold a CSRF
token (that belongs to one browser): such a part is refused.
"""
from django import template
from django.utils.safestring import mark_safe

from ledgers import versions

register = template.Library()

CSRF_FIELD = 'name="csrfmiddlewaretoken"'


class VersionedNode(template.Node):
    def __init__(self, name, reads, nodelist):
        self.name, self.reads, self.nodelist = name, reads, nodelist

    def render(self, context):
        request = context["request"]
        user = request.user
        scope = None if self.reads == "every_unit" else versions.scope_of(user, district=self.reads == "district")
        return versions.cached(f"fragment:{self.name}", scope, checked(self.name, lambda: self.nodelist.render(context)),
                               versions.viewer(user), request.get_full_path())


def checked(name, render):
    def compute():
        html = render()
        if CSRF_FIELD in html:
            raise template.TemplateSyntaxError(f"the cached part {name} holds a CSRF token")
        return html
    return compute


@register.tag
def versioned(parser, token):
    bits = token.split_contents()
    if len(bits) not in (2, 3) or bits[1][0] not in "\"'" or bits[2:] not in ([], ["every_unit"], ["district"]):
        raise template.TemplateSyntaxError('usage: {% versioned "name" [every_unit|district] %} … {% endversioned %}')
    nodelist = parser.parse(("endversioned",))
    parser.delete_first_token()
    return VersionedNode(bits[1][1:-1], bits[2] if len(bits) == 3 else "", nodelist)


@register.simple_tag(takes_context=True)
def home_panels(context, panels):
    """The home page's panels (ledgers.views.core.HOME_PANELS) in order, each one's HTML cached
    under the data versions it declares (`register_home_panel(cached=...)`), else made afresh."""
    request = context["request"]
    user = request.user
    html = []
    for panel in panels:
        def render(panel=panel):
            data = panel(request)
            if not data:
                return ""
            with context.push(panel=data):
                return context.template.engine.get_template(data["template"]).render(context)

        if panel.cached is None:
            html.append(render())
            continue
        name = f"panel:{panel.__module__}.{panel.__name__}"
        scope = versions.scope_of(user, district=panel.cached == "district")
        html.append(versions.cached(name, scope, checked(name, render), versions.viewer(user)))
    return mark_safe("".join(html))
