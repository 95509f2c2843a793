"""Athlete history: every analysed session kept in a database (SQLite by default).

:mod:`armcarriage.history.db` opens and migrates the database,
:mod:`armcarriage.history.store` writes and reads sessions,
:mod:`armcarriage.history.plot` draws each metric over dates.
"""
