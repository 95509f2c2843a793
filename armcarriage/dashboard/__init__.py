"""The team dashboard and the athlete history page, as a coach reads them.

:mod:`~armcarriage.dashboard.model` gathers them from the history database,
:mod:`~armcarriage.dashboard.svg` draws the trends, :mod:`~armcarriage.dashboard.render`
writes the HTML that both the batch (``team.html``) and the web app show; the
sorting and filtering script and the style are package files (``data/dashboard.js``,
``data/dashboard.css``), so nothing is fetched from elsewhere.
"""
