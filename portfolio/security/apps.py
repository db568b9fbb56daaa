from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "portfolio.security"
    label = "security"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portfolio.security.sessions import start_session_clocks

        user_logged_in.connect(start_session_clocks, dispatch_uid="portfolio.security.start_session_clocks")
