from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


class LanguageMiddleware:
    """Dutch unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a worker with an English
    browser would suddenly get English screens and letters; here only the explicit choice (the cookie set
    by the switch) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every page for a logged-in user and on every API response.

    Case files, persons, business cases, the plan PDF, spend requests and payment files are personal data:
    no browser cache, proxy or shared computer may keep a copy after the worker logs out. One place
    instead of a decorator per view, so a new page cannot forget it. Anonymous pages (the login page) and
    static files (served by WhiteNoise before this middleware) keep their own caching; a view that set
    Cache-Control itself (Django's `never_cache`, the admin) is left alone.
    """

    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control") or request.path.startswith(settings.STATIC_URL):
            return response
        # Read after the view: the API's token authentication sets request.user during the view.
        user = getattr(request, "user", None)
        if request.path.startswith(self.API_PREFIX) or getattr(user, "is_authenticated", False):
            patch_cache_control(response, no_store=True, private=True)
        return response
