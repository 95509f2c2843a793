"""Batch analysis of many clips: manifests, content hashes, the parallel runner, team report.

Public entry points (imported lazily by their modules, so importing this package
does no work): :func:`armcarriage.batch.manifest.load_manifest`,
:func:`armcarriage.batch.runner.run_batch`, :func:`armcarriage.batch.team.write_team_report`.
"""
