"""Classify mode's evaluator: the joint request, and with ``[classify] modalities`` the
image alone and the text alone too (DESIGN §7; the labels and metrics are in
:mod:`framing.judging.classify`).

A single-modality request renders the same framing for a derived sample: the image alone
(its text replaced by :data:`IMAGE_ONLY_TEXT`, id ``<id>#image``) or the text alone (no
image, id ``<id>#text``). Samples whose grade for that modality is ``not_sure`` are not
asked; a sample without an image gets no image-only request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from framing.data.schema import SUBSETS, Grade, Sample
from framing.evaluate import Evaluation, Evaluator, ProgressHandler

if TYPE_CHECKING:
    from framing.templates import Template

__all__ = ["IMAGE_ONLY_TEXT", "ClassifyEvaluator", "image_only", "text_only"]

#: the user text of an image-only request (some APIs reject an empty text part)
IMAGE_ONLY_TEXT = "(This image has no accompanying text.)"
IMAGE_SUFFIX = "#image"
TEXT_SUFFIX = "#text"


# -- single-modality requests -------------------------------------------------------------


def image_only(sample: Sample) -> Sample | None:
    """The image of ``sample`` alone (graded by its image grade), or None when it has no
    image or its image grade is not a label."""
    if sample.image is None or sample.image_grade not in SUBSETS:
        return None
    return replace(sample, id=sample.id + IMAGE_SUFFIX, text=IMAGE_ONLY_TEXT,
                   text_grade=Grade.SAFE, joint_grade=sample.image_grade)


def text_only(sample: Sample) -> Sample | None:
    """The text of ``sample`` alone (graded by its text grade), or None when its text grade
    is not a label."""
    if sample.text_grade not in SUBSETS:
        return None
    return replace(sample, id=sample.id + TEXT_SUFFIX, image=None, image_grade=Grade.SAFE,
                   joint_grade=sample.text_grade, image_description=None)


class ClassifyEvaluator(Evaluator):
    """The evaluator of a classify study: with ``modalities``, every evaluation also asks
    for the image-only and text-only labels and puts them on each joint outcome
    (``Outcome.image_label`` / ``text_label``). Their calls count as target calls."""

    def __init__(self, *args: Any, modalities: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modalities = modalities

    async def evaluate(
        self,
        template: Template,
        params: Mapping[str, Any],
        samples: Sequence[Sample],
        *,
        trial: int | None = None,
        on_progress: ProgressHandler | None = None,
        **options: Any,
    ) -> Evaluation:
        joint: Evaluation = await super().evaluate(template, params, samples, trial=trial,
                                                   on_progress=on_progress, **options)
        if not self.modalities:
            return joint
        derived = [d for o in joint.outcomes for d in (image_only(o.sample), text_only(o.sample))
                   if d is not None]
        single: Evaluation = await super().evaluate(template, params, derived, trial=trial,
                                                    on_progress=on_progress)
        labels = {o.sample.id: o.judgement.label for o in single.outcomes}
        outcomes = [
            replace(o, image_label=labels.get(o.sample.id + IMAGE_SUFFIX),
                    text_label=labels.get(o.sample.id + TEXT_SUFFIX))
            for o in joint.outcomes
        ]
        return Evaluation.build(
            outcomes,
            calls=joint.calls + single.calls,
            cache_hits=joint.cache_hits + single.cache_hits,
            input_tokens=joint.input_tokens + single.input_tokens,
            output_tokens=joint.output_tokens + single.output_tokens,
            cost=joint.cost + single.cost,
        )


