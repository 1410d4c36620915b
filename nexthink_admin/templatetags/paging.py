"""The tags behind templates/inc/pagination.html."""

from django import template
from django.utils.http import urlencode

from nexthink_admin.paging import PAGE_SIZE_PARAM, page_size_choices

register = template.Library()


def _url(request, *, page: int) -> str:
    """This view's URL (its filters, sort and page size) at another page."""
    if request is None:
        return "?" + urlencode({"page": page})
    params = request.GET.copy()
    params["page"] = str(page)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def page_links(context, page_obj) -> list[dict]:
    """Page numbers around the current one, the first and the last, and
    ellipses between: 1 … 4 5 [6] 7 8 … 20."""
    request = context.get("request")
    links = []
    for number in page_obj.paginator.get_elided_page_range(
        page_obj.number, on_each_side=2, on_ends=1
    ):
        if number == page_obj.paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            links.append(
                {
                    "number": number,
                    "url": _url(request, page=number),
                    "current": number == page_obj.number,
                }
            )
    return links


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    return _url(context.get("request"), page=number)


@register.simple_tag(takes_context=True)
def page_size_form(context, page_obj) -> dict:
    """What the page-size form needs: the other parameters of this view (kept
    as hidden fields, without the page, which starts again at 1) and the sizes."""
    request = context.get("request")
    kept = []
    if request is not None:
        kept = [
            (key, value)
            for key, values in request.GET.lists()
            if key not in ("page", PAGE_SIZE_PARAM)
            for value in values
        ]
    per_page = page_obj.paginator.per_page
    return {
        "hidden": kept,
        "param": PAGE_SIZE_PARAM,
        "current": per_page,
        "choices": page_size_choices(per_page),
    }
