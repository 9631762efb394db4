"""Storage: everything framing keeps in the study database, in one package (DESIGN §8).

- :mod:`framing.storage.url`: the database URL (validation, drivers, engine options,
  retries on a busy or restarting server, error messages).
- :mod:`framing.storage.tables`: framing's own tables (per-sample results, the response
  and judgement caches, study settings, framing claims and leases).
- :mod:`framing.storage.optuna_studies`: opening, creating and listing Optuna studies.
- :mod:`framing.storage.keys`: the names of trial and study attributes, the stored
  contract between the search that writes a study and everything that reads it.

Storage sits at the bottom of the layers: it imports nothing of framing but errors.
"""
