"""Proposing new framings from the failures of a study's frontier (issue #18).

Not to be confused with :class:`framing.search.space.Proposer`, which picks the next
framing of the *existing* space: the proposers here *write* new templates.

- :mod:`framing.propose.failures`: what a proposer is shown (request text and response
  only, never grades, categories or patterns)
- :mod:`framing.propose.edit`: the offline ``edit`` proposer (GrIPS-like sentence edits)
- :mod:`framing.propose.model`: the ``model`` proposer (any target rewrites the prompt)
- :mod:`framing.propose.candidates`: candidate template files: build, lint, de-duplicate,
  write under ``prompts/proposed/``
- :mod:`framing.propose.run`: ``framing propose``: one round from a chosen framing
"""
