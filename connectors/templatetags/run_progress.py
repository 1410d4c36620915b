"""{% run_progress run %}: the progress bar of a running run (runs table)."""

from django import template

from ..selectors import run_progress as run_progress_estimate

register = template.Library()


@register.inclusion_tag("connectors/inc/run_progress.html")
def run_progress(run):
    return {"run": run, "progress": run_progress_estimate(run)}
