"""Sign-in, throttled against password guessing: after too many failures for
one user name, or from one address, sign-in is refused for a while without
checking the password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views

from .ratelimit import counter_hit, counter_reset, counter_value

FAILURES_PER_USERNAME = 5
FAILURES_PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60


def _keys(request) -> list[tuple[str, int]]:
    username = (request.POST.get("username") or "").strip().lower()[:150]
    address = request.META.get("REMOTE_ADDR", "")
    return [
        (f"login-fail:user:{username}", FAILURES_PER_USERNAME),
        (f"login-fail:addr:{address}", FAILURES_PER_ADDRESS),
    ]


class ThrottledLoginView(auth_views.LoginView):
    def post(self, request, *args, **kwargs):
        if any(counter_value(key) >= limit for key, limit in _keys(request)):
            messages.error(
                request, f"Too many failed sign-ins. Try again in {WINDOW_SECONDS // 60} minutes."
            )
            return self.render_to_response(
                self.get_context_data(form=self.form_class(request)), status=429
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        for key, _ in _keys(self.request):
            counter_hit(key, timeout=WINDOW_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form):
        counter_reset(_keys(self.request)[0][0])
        return super().form_valid(form)
