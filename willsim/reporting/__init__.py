"""Reporting: what the app, the workshop and a notebook show, below the user interface.

* :mod:`~willsim.reporting.formatting` — numbers, shares, percentage points, money and dates per
  language (Babel);
* :mod:`~willsim.reporting.i18n` — the user interface's words, one gettext catalogue per
  language (``locale/<lang>/LC_MESSAGES/willsim.po``), and :func:`~willsim.reporting.i18n.text`;
* :mod:`~willsim.reporting.tables` — the tables and sentences of a paired comparison (key
  figures and verdicts, who gains and who loses, costs, the policy timeline);
* :mod:`~willsim.reporting.charts` — the figures (matplotlib's object-oriented API; importing it
  never selects a backend);
* :mod:`~willsim.reporting.briefing` and :mod:`~willsim.reporting.html` — the self-contained HTML
  briefing from Jinja2 templates (``templates/``), with autoescaping.

Nothing here imports solara or :mod:`willsim.app`; the app and the workshop import this layer.
"""
