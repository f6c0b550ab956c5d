"""A page's `_()`, `ngettext()`, `pgettext()` are bound to the reader's catalogue once per page
(council/formatting.py, page_gettext): they say exactly what Flask-Babel's callables say, escaped the
same way, counts written the reader's way, in every language."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale

SOURCE = ("{{ _('Hello, %(name)s!', name=name) }} | {{ _('Save') }} | "
          "{{ _(\"Overdue: yours and your organisation's\") }} | "
          "{{ ngettext('%(num)d person found for “%(words)s”.', '%(num)d people found for “%(words)s”.', n, "
          "words=name) }} | {{ pgettext('person', 'Name') }} | "
          "{% trans count=n %}{{ count }} commitment{% pluralize %}{{ count }} commitments{% endtrans %}")
# The same words through a macro imported without the page's context: Flask-Babel's callables.
MACRO = "{% macro words(name, n) %}" + SOURCE + "{% endmacro %}"


@pytest.mark.parametrize("language", ["ru", "kk", "tk", "en"])
def test_a_page_s_bound_callables_say_what_flask_babel_s_say(app, language):
    with app.test_request_context(), force_locale(language):
        environment = app.jinja_env
        macro = environment.from_string(MACRO).module.words  # type: ignore[attr-defined]
        for name, n in (("<b>Ana & Co</b>", 3), ("Döwlet", 12345), ("Айгерим", 1)):
            page = render_template_string(SOURCE, name=name, n=n)
            assert page == str(macro(name, n))
            assert "<b>" not in page  # the name escaped, the words not
            if language != "en":
                assert "Save" not in page  # translated
            if n == 12345:
                assert "12345" not in page  # the count written the reader's way
