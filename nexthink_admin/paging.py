"""Paging shared by every list: the page-size choice and a page that never fails.

A list reads its page size with `page_size(request.GET, default)` (or, as a
ListView, with `PageSizeMixin`), and shows templates/inc/pagination.html, which
offers PAGE_SIZES. A page size that is not one of them falls back to the list's
default; a page number that is not one gives the first page, one past the end
the last page: a bad URL never answers 404 or 500."""

from collections.abc import Mapping

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZES = (25, 50, 100)
PAGE_SIZE_PARAM = "per_page"


def page_size(params: Mapping[str, str], default: int = 25) -> int:
    """The page size the URL asks for, when it is one offered; else `default`."""
    try:
        size = int(params.get(PAGE_SIZE_PARAM, ""))
    except (TypeError, ValueError):
        return default
    return size if size in page_size_choices(default) else default


def page_size_choices(current: int) -> tuple[int, ...]:
    """The sizes offered: the usual ones, and the list's own when it differs."""
    return tuple(sorted({*PAGE_SIZES, current}))


class PageSizeMixin:
    """For a ListView: `paginate_by` is the default, the URL may choose another;
    a bad page number gives the nearest page instead of a 404."""

    paginate_by = 25

    def get_paginate_by(self, queryset):
        return page_size(self.request.GET, self.paginate_by)

    def paginate_queryset(self, queryset, page_size):
        paginator = Paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class CappedPaginator(Paginator):
    """A paginator that never counts far past what it shows: it counts at most
    `at_least` rows, or up to one page beyond the page asked for, whichever is
    more, so a long list costs the same to open at any size. When there are
    more, `count` is that cap and `capped` is true: templates show "1000+"
    (inc/pagination.html), and the last page offered leads further on."""

    def __init__(self, object_list, per_page, *, page=None, at_least: int = 1000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            wanted = max(int(page), 1)
        except (TypeError, ValueError):
            wanted = 1
        self.cap = max(at_least, (wanted + 1) * int(per_page))
        self._seen: int | None = None

    @cached_property
    def count(self) -> int:
        self._seen = self.object_list[: self.cap + 1].count()
        return min(self._seen, self.cap)

    @property
    def capped(self) -> bool:
        return self.count >= self.cap and (self._seen or 0) > self.cap
