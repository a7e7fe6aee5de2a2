"""Controls generated from the parameter registry, grouped by actor and policy lever.

Every parameter gets a control from its declaration: a checkbox for flags, a menu for choices,
a slider for the headline levers of each group (:data:`willsim.app.levers.HEADLINE`, over the
registry's range), a text field for other numbers and lists (validated by the registry on Enter
or when the field loses focus, with the registry's message shown under the field). Labels,
units, ranges and help text come from :data:`willsim.params.PARAMETERS`, in the session's
language. A setting that means "derived from the city" shows the derived number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import solara

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.app.levers import HEADLINE, SLIDERS, derived_value, is_policy_lever, slider_range
from willsim.params import PARAMETERS, ParameterError
from willsim.reporting.errors import message as error_message
from willsim.reporting.formatting import decimal_mark

QUICK = (
    "run.weeks",
    "run.residents",
    "run.seed",
    "office.social_workers",
    "helpseeking.awareness",
    "municipality.budget_multiplier",
)
"""Parameters shown above the grouped panels: the levers people reach for first."""
HELP_STYLE = {"font-size": "0.75em", "color": "#666", "display": "block", "margin-top": "-12px"}
HELP_STYLE_NOTE = {"font-size": "0.75em", "color": "#666", "display": "block"}


def to_text(value: Any) -> str:
    """A parameter value as typed in a field."""
    if isinstance(value, (list, tuple)):
        return ", ".join(to_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return str(value)


def shown_text(key: str, value: Any) -> str:
    """A value as the field shows it: a single decimal number with the language's decimal
    mark (a comma in Italian; lists keep ``.``, since their items are separated by commas)."""
    text = to_text(value)
    if isinstance(value, float) and PARAMETERS[key].length is None:
        return text.replace(".", decimal_mark(i18n.lang.value))
    return text


def parse(key: str, text: str) -> Any:
    """The value of ``key`` typed as ``text`` (a decimal comma is accepted for single numbers);
    raises :class:`ParameterError` with the registry's message."""
    p = PARAMETERS[key]
    text = text.strip()
    if p.length is not None:
        parts = [x.strip() for x in text.replace(";", ",").split(",") if x.strip()]
        values: list[Any] = []
        for x in parts:
            try:
                values.append(float(x))
            except ValueError:
                raise ParameterError(tr("not_a_number", key=key, value=repr(x))) from None
        return p.validate(values)
    if isinstance(p.default, (int, float)) and not isinstance(p.default, bool):
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        text = text.replace("_", "")
    return p.validate(text)


def range_text(key: str) -> str:
    """The valid range in the session's number format: ``[0; 5,000,000]``, ``[0,1; 1]``, or
    ``≥ 0`` when the upper bound is only a technical limit (e.g. the largest seed)."""
    p = PARAMETERS[key]
    if p.choices:
        return " | ".join(p.choices)
    low = None if p.low is None else i18n.plain_number(p.low)
    if p.high is None or abs(p.high) >= 1e12:
        return "≥ " + low if low is not None else "–"
    high = i18n.plain_number(p.high)
    return f"[{low}; {high}]" if low is not None else "≤ " + high


def help_text(key: str) -> str:
    """The parameter's description in the session's language, its range, the list hint, and
    for a policy lever that it starts at reported week 0 (:func:`is_policy_lever`)."""
    p = PARAMETERS[key]
    rng = "" if isinstance(p.default, bool) else " · " + tr("range", range=range_text(key))
    if p.length is not None:
        rng += " · " + tr("vector_hint", n=p.length)
    if is_policy_lever(key):
        rng += " · " + tr("lever_week0")
    return p.description_in(i18n.lang.value) + rng


def field_label(key: str) -> str:
    p = PARAMETERS[key]
    unit = "" if p.unit in ("flag", "choice", "text") else f" ({i18n.unit_label(p.unit)})"
    return i18n.param_label(key) + unit


def slider_value(key: str, value: float, step: float) -> Any:
    """A slider's position as the parameter's value: whole numbers as int, others rounded to
    the slider's step (no ``0.7000000000000001``)."""
    p = PARAMETERS[key]
    if isinstance(p.default, int) and not isinstance(p.default, bool):
        return p.validate(round(float(value)))
    decimals = max(0, -int(f"{step:e}".split("e")[1]))
    return p.validate(round(float(value), decimals + 1))


@solara.component
def ParamControl(
    key: str,
    current: Any,
    on_commit: Callable[[str, Any], None],
    derived: float | None = None,
    disabled: bool = False,
):
    """One parameter's control; ``on_commit(key, value)`` receives validated values only.
    ``derived`` is the value the model derives when ``current`` means "from the city"."""
    p = PARAMETERS[key]
    first = shown_text(key, current) if derived is None else i18n.number(derived, 0)
    text, set_text = solara.use_state(first)
    error, set_error = solara.use_state("")

    if isinstance(p.default, bool):
        with solara.Div(classes=[f"param-{key.replace('.', '-')}"]):
            solara.Checkbox(
                label=field_label(key),
                value=bool(current),
                on_value=lambda v: on_commit(key, bool(v)),
            )
            solara.Text(help_text(key), classes=["param-help"], style=HELP_STYLE)
        return
    if p.choices:
        with solara.Div(classes=[f"param-{key.replace('.', '-')}"]):
            solara.Select(
                label=field_label(key),
                values=list(p.choices),
                value=current,
                on_value=lambda v: on_commit(key, v),
            )
            solara.Text(help_text(key), classes=["param-help"], style=HELP_STYLE)
        return

    bounds = slider_range(key)
    if bounds is not None:
        lo, hi, step = bounds
        with solara.Div(classes=[f"param-{key.replace('.', '-')}", "param-slider"]):
            slider = solara.SliderInt if isinstance(p.default, int) else solara.SliderFloat
            slider(
                field_label(key) + f": {shown_text(key, current)}",
                value=current,
                min=lo,
                max=hi,
                step=step,
                on_value=lambda v: on_commit(key, slider_value(key, v, step)),
                thumb_label=False,
                disabled=disabled,
            )
            solara.Text(help_text(key), classes=["param-help"], style=HELP_STYLE)
        return

    def commit(new_text: str) -> None:
        set_text(new_text)
        if derived is not None and new_text.strip() == first:
            set_error("")  # the derived number, unchanged: still derived from the city
            return
        try:
            value = parse(key, new_text)
        except ParameterError as exc:
            set_error(error_message(exc, i18n.lang.value))
            return
        set_error("")
        on_commit(key, value)

    hint = help_text(key)
    if derived is not None:
        hint = tr("derived_hint", value=i18n.number(derived, 1)) + " · " + hint
    with solara.Div(classes=[f"param-{key.replace('.', '-')}"]):
        solara.InputText(
            label=field_label(key),
            value=text,
            on_value=commit,
            continuous_update=False,
            error=error or False,
            message=hint,
            disabled=disabled,
        )


@solara.component
def LeversNote():
    """When the changes apply: policy levers from reported week 0 on the status quo's city
    (:func:`willsim.app.levers.is_policy_lever`), assumptions from the start of the burn-in."""
    solara.Text(tr("levers_week0_note"), classes=["levers-note"], style=HELP_STYLE_NOTE)


def group_keys(group: str) -> list[str]:
    """The parameters of ``group`` in its panel: its headline levers (sliders) first, then the
    rest in declaration order; those shown above the panels (:data:`QUICK`) are left out."""
    headline = [k for k in HEADLINE.get(group, ()) if k not in QUICK]
    rest = [
        k for k, p in PARAMETERS.items() if p.group == group and k not in QUICK and k not in SLIDERS
    ]
    return headline + rest


@solara.component
def ControlsPanel(
    values: Mapping[str, Any],
    overrides: Mapping[str, Any],
    on_change: Callable[[dict[str, Any]], None],
    disabled: bool = False,
):
    """Quick settings, then every parameter in one expansion panel per group.

    ``values`` are the resolved values shown; ``overrides`` the user's changes (highlighted by
    count per group); ``on_change`` receives the new overrides dict.
    """
    i18n.lang.value  # re-render on a language switch  # noqa: B018
    open_panels, set_open_panels = solara.use_state([])
    generation, set_generation = solara.use_state(0)

    def restore() -> None:
        """Back to the scenario's values; fields showing a refused entry are cleared too."""
        on_change({})
        set_generation(generation + 1)

    def commit(key: str, value: Any) -> None:
        new = dict(overrides)
        new[key] = value
        on_change(new)

    def control(key: str) -> None:
        derived = derived_value(key, values)
        ParamControl(key, values[key], commit, derived, disabled).key(
            f"{key}|{to_text(values[key])}|{derived}|{i18n.lang.value}|{generation}"
        )

    with solara.Column(gap="4px", classes=["controls"]):
        for key in QUICK:
            control(key)
        with solara.Row():
            solara.Text(tr("changed", n=len(overrides)), classes=["changed-count"])
            solara.Button(
                tr("reset_controls"),
                text=True,
                small=True,
                disabled=disabled,
                classes=["btn-reset-controls"],
                on_click=restore,
            )
        LeversNote()
        groups = [
            g
            for g in PARAMETERS.groups()
            if any(p.group == g and k not in QUICK for k, p in PARAMETERS.items())
        ]
        # only open panels hold controls: a closed group costs no widgets (and no render time)
        with solara.v.ExpansionPanels(
            multiple=True,
            accordion=True,
            v_model=open_panels,
            on_v_model=lambda v: set_open_panels(list(v or [])),
        ):
            for position, group in enumerate(groups):
                keys = group_keys(group)
                changed = sum(1 for k in keys if k in overrides)
                title = i18n.group_label(group) + (
                    f" · {tr('changed', n=changed)}" if changed else ""
                )
                with solara.v.ExpansionPanel():
                    solara.v.ExpansionPanelHeader(children=[title])
                    with solara.v.ExpansionPanelContent():
                        if position in open_panels:
                            for key in keys:
                                control(key)
