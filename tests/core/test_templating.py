"""`_()` in templates behaves as Jinja's newstyle gettext: translated, variables escaped under
autoescape (and only then), `%%` for a literal percent sign."""

from __future__ import annotations

from app import i18n
from app.templating import templates


def render(source: str, **context: object) -> str:
    return templates.env.from_string(source).render(**context)


def test_variables_are_escaped_and_the_message_is_not() -> None:
    out = render('{{ _("Edit “%(title)s”", title=t) }}', t="<script>x</script>")
    assert out == "Edit “&lt;script&gt;x&lt;/script&gt;”"


def test_without_autoescape_nothing_is_escaped() -> None:
    source = '{% autoescape false %}{{ _("Edit “%(title)s”", title=t) }}{% endautoescape %}'
    assert render(source, t="<b>") == "Edit “<b>”"


def test_a_literal_percent_sign() -> None:
    assert render('{{ _("100%% sure") }}') == "100% sure"
    assert render('{{ _("Sign in") }}') == "Sign in"


def test_the_interface_language_is_used() -> None:
    token = i18n.current_locale.set("fr")
    try:
        assert render('{{ _("Sign in") }}') != "Sign in"
        assert render('{{ _("Sign in") }}') == i18n.gettext("Sign in")
    finally:
        i18n.current_locale.reset(token)
