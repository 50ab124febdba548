"""User text made safe for HTML pages and the JavaScript template literals folium writes popups into.

Every name, id, reason or column a user wrote that reaches a map or a report page goes through
[text_html][logistics.core.html_text.text_html]; markup built from such pieces goes through
[js_literal_html][logistics.core.html_text.js_literal_html] before it reaches folium.
"""

from __future__ import annotations

import html

__all__ = ["js_literal_html", "text_html"]

# Characters that HTML escaping leaves alone but that act inside the JavaScript template literals
# folium puts tooltips and popups in (`...`): a backslash starts an escape, a backtick ends the
# literal, ``${`` interpolates code; U+2028/2029 end lines in older engines.  As HTML character
# references they are inert in the literal and show as themselves once the browser parses the HTML.
_JS_LITERAL_REFS = str.maketrans({"\\": "&#92;", "`": "&#96;", "$": "&#36;", "\u2028": "&#8232;", "\u2029": "&#8233;"})


def text_html(value: object) -> str:
    """A user string (id, name, reason) as HTML text that is also safe inside a JavaScript template literal.

    Parameters
    ----------
    value
        Anything; it is shown as ``str(value)``.

    Returns
    -------
    str
        ``html.escape(str(value))`` with backslashes, backticks, ``$`` and the line separators
        U+2028/U+2029 turned into character references.
    """
    return html.escape(str(value)).translate(_JS_LITERAL_REFS)


def js_literal_html(markup: str) -> str:
    """Markup whose text parts are already escaped, made safe for a JavaScript template literal.

    Every tooltip and popup goes through this before it reaches folium, so a string that
    missed `text_html` still cannot close the literal or interpolate code.

    Parameters
    ----------
    markup
        HTML built from `text_html` pieces and our own tags.

    Returns
    -------
    str
        The markup with backslashes, backticks, ``$`` and U+2028/U+2029 as character references.
    """
    return markup.translate(_JS_LITERAL_REFS)
