"""The Preferences page (from the user menu): each user's own time zone and
theme. It changes only the signed-in user's own settings, so it needs no
permission beyond being signed in (like the overview)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView

from .models import UserPreference
from .session_preferences import preferences_remember, session_preferences
from .themes import preference_theme_set
from .timezones import preference_time_zone_set, time_zone_names, time_zone_valid


class PreferencesForm(forms.Form):
    time_zone = forms.CharField(
        label="Time zone",
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=(
            "An IANA zone such as Europe/Zurich or America/New_York (type to search). "
            f"Leave it empty for the server's time zone, {settings.TIME_ZONE}."
        ),
    )

    theme = forms.ChoiceField(
        label="Theme",
        required=False,
        choices=UserPreference.Theme.choices,
        widget=forms.RadioSelect,
        help_text="System follows this device's light or dark setting. "
        "The switch in the menu changes it too; it follows you to any browser.",
    )

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if name and not time_zone_valid(name):
            matches = [z for z in time_zone_names() if z.lower() == name.lower()]
            if matches:
                return matches[0]
            raise forms.ValidationError(
                f"“{name}” is not a known time zone: choose one from the list, "
                "such as Europe/Zurich or UTC."
            )
        return name


class PreferencesView(FormView):
    template_name = "preferences.html"
    form_class = PreferencesForm

    def get_initial(self):
        return dict(session_preferences(self.request))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            time_zones=time_zone_names(),
            server_time_zone=settings.TIME_ZONE,
            now=timezone.now(),
            nav_section="preferences",
        )
        return ctx

    def form_valid(self, form):
        name = form.cleaned_data["time_zone"]
        preference = preference_time_zone_set(user=self.request.user, time_zone=name)
        if form.cleaned_data["theme"]:  # absent: unchanged
            preference = preference_theme_set(
                user=self.request.user, theme=form.cleaned_data["theme"]
            )
        preferences_remember(self.request, preference)
        messages.success(
            self.request,
            f"Saved. Times are shown in {name or f'the server time zone ({settings.TIME_ZONE})'}; "
            f"the theme is {UserPreference.Theme(preference.theme).label}.",
        )
        return redirect("preferences")
