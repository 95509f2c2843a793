"""The coach web app: ``armcarriage serve``.

:func:`create_app` builds the FastAPI application (see :mod:`armcarriage.web.app`);
:func:`armcarriage.web.cli.serve_command` runs it with uvicorn. Importing this
package does not import FastAPI: worker processes only need the job store.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from armcarriage.web.app import create_app

        return create_app
    raise AttributeError(f"module 'armcarriage.web' has no attribute {name!r}")
