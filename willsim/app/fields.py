"""Input fields that say what they did with a value: a whole number within limits, clipped with a
message on screen (never silently), in the page's language and number format."""

from __future__ import annotations

from collections.abc import Callable

import solara

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.reporting.formatting import decimal_mark


def parse_whole(text: str, language: str) -> int | None:
    """A whole number typed with or without the language's thousands separators
    (``1,000`` / ``1.000``, ``1 000``, ``1_000``); None if it is not one."""
    group = "." if decimal_mark(language) == "," else ","
    raw = text.strip().replace("_", "").replace(" ", "").replace("\u202f", "").replace(group, "")
    if raw.startswith("+"):
        raw = raw[1:]
    if not raw or not raw.lstrip("-").isdigit():
        return None
    return int(raw)


def clip_note(label: str, typed: int, low: int, high: int) -> tuple[int, str]:
    """The value used for ``typed`` and, if it was clipped, the message that says so."""
    if typed > high:
        return high, tr(
            "field_clipped_high", label=label, value=i18n.number(typed), limit=i18n.number(high)
        )
    if typed < low:
        return low, tr(
            "field_clipped_low", label=label, value=i18n.number(typed), limit=i18n.number(low)
        )
    return typed, ""


@solara.component
def BoundedInt(
    label: str,
    value: int,
    low: int,
    high: int,
    on_value: Callable[[int], None],
    disabled: bool = False,
    classes: list[str] | None = None,
):
    """A whole-number field: a value outside ``[low, high]`` is clipped and the page says so;
    text that is not a whole number is refused with a message under the field."""
    language = i18n.lang.value
    text, set_text = solara.use_state(i18n.number(value))
    error, set_error = solara.use_state("")
    note, set_note = solara.use_state("")
    # the typed text while it stands for the value (or is refused), else the value itself (set
    # from outside: a link, a clipped entry)
    shown = text if error or parse_whole(text, language) == value else i18n.number(value)

    def commit(new: str) -> None:
        set_text(new)
        typed = parse_whole(new or "", language)
        if typed is None:
            set_error(tr("field_whole_number"))
            set_note("")
            return
        used, message = clip_note(label, typed, low, high)
        set_error("")
        set_note(message)
        on_value(used)

    with solara.Column(gap="0px", classes=["bounded-int", *(classes or [])]):
        solara.InputText(
            label,
            value=shown,
            on_value=commit,
            continuous_update=False,
            disabled=disabled,
            error=error or False,
        )
        if note:
            solara.Warning(note, dense=True, classes=["clipped-note"])
