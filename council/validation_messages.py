"""WTForms' and Flask-WTF's validation messages, marked so that `make translations` keeps them.

These strings live in WTForms and Flask-WTF, not in our code, so extraction would never see them and
`pybabel update --ignore-obsolete` would drop their translations from our catalogs. WTForms ships no
Turkmen catalog; `council.forms.CouncilForm` looks every validation message up in OUR catalog first.
Listing the exact msgids here (lazy markers: nothing is translated at import) keeps them in
messages.pot, and tests/test_translations.py makes sure each one is translated in ru, kk and tk.
"""

from __future__ import annotations

from flask_babel import lazy_gettext, lazy_ngettext

# The msgids are copied verbatim from wtforms/locale/wtforms.pot (WTForms 3.3) and flask_wtf/csrf.py.
MESSAGES = (
    # wtforms.validators
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    lazy_gettext("Field must be between %(min)d and %(max)d characters long."),
    lazy_gettext("Field must be equal to %(other_name)s."),
    lazy_gettext("Invalid field name '%s'."),
    lazy_gettext("Number must be at least %(min)s."),
    lazy_gettext("Number must be at most %(max)s."),
    lazy_gettext("Number must be between %(min)s and %(max)s."),
    lazy_gettext("Date must be at least %(min)s."),
    lazy_gettext("Date must be at most %(max)s."),
    lazy_gettext("Date must be between %(min)s and %(max)s."),
    lazy_gettext("This field is required."),
    lazy_gettext("Invalid input."),
    lazy_gettext("Invalid email address."),
    lazy_gettext("Invalid IP address."),
    lazy_gettext("Invalid Mac address."),
    lazy_gettext("Invalid URL."),
    lazy_gettext("Invalid UUID."),
    lazy_gettext("Invalid value, must be one of: %(values)s."),
    lazy_gettext("Invalid value, can't be any of: %(values)s."),
    lazy_gettext("This field cannot be edited."),
    lazy_gettext("This field is disabled and cannot have a value."),
    # wtforms.fields
    lazy_gettext("Invalid Choice: could not coerce."),
    lazy_gettext("Choices cannot be None."),
    lazy_gettext("Not a valid choice."),
    lazy_gettext("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    lazy_gettext("Not a valid datetime value."),
    lazy_gettext("Not a valid date value."),
    lazy_gettext("Not a valid time value."),
    lazy_gettext("Not a valid week value."),
    lazy_gettext("Not a valid integer value."),
    lazy_gettext("Not a valid decimal value."),
    lazy_gettext("Not a valid float value."),
    # wtforms.csrf
    lazy_gettext("Invalid CSRF Token."),
    lazy_gettext("CSRF token missing."),
    lazy_gettext("CSRF failed."),
    lazy_gettext("CSRF token expired."),
    # flask_wtf.csrf
    lazy_gettext("The CSRF token is missing."),
    lazy_gettext("The CSRF session token is missing."),
    lazy_gettext("The CSRF token has expired."),
    lazy_gettext("The CSRF token is invalid."),
    lazy_gettext("The CSRF tokens do not match."),
)
