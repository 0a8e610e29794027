"""Multi-template matching: a live face against all of a retiree's templates.

Rule: the closest template decides (max similarity), and the decision names it. Measured on
LAG with identity-disjoint CV (training/xage_templates.py, TAR at FAR 1e-3 / 1e-2, xage1):

* ID photos only (first certification): best 0.52 / 0.72, mean 0.45 / 0.68, one ID photo
  0.44 / 0.66; "best" wins clearly where it matters most.
* ID photos + recent captures: mean 0.83 / 0.93, newest-kind-first 0.81 / 0.90, best
  0.80 / 0.87; all far above one ID photo, "mean" a little ahead.

"best" is kept: it is the clear winner for a retiree without recent templates, it names one
deciding template for the evidence, and it prefers the newest template whenever that one is
closer (LAG has no capture dates to fit an age weighting). Templates of another model id are
never compared: they are listed as skipped, to be re-embedded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..types import Decision, Embedding, Match


@dataclass(frozen=True)
class Template:
    template_id: str
    embedding: Embedding
    source: str = ""  # e.g. "id_photo", "counter", "certification"


@dataclass(frozen=True)
class TemplateScore:
    template_id: str
    source: str
    match: Match


@dataclass(frozen=True)
class MultiTemplateMatch:
    decision: Decision
    deciding: TemplateScore | None  # None: no comparable template
    scores: tuple[TemplateScore, ...]
    skipped: tuple[str, ...]  # template ids of another model id
    rule: str = "best"


def match_templates(
    compare: Callable[[Embedding, Embedding], Match],
    probe: Embedding,
    templates: Sequence[Template],
) -> MultiTemplateMatch:
    """Score ``probe`` against every comparable template; the smallest distance decides.

    ``compare(probe, reference)`` is the engine's compare: probe first (role-aware scoring).
    """
    scores, skipped = [], []
    for template in templates:
        if template.embedding.model_id != probe.model_id:
            skipped.append(template.template_id)
            continue
        match = compare(probe, template.embedding)
        scores.append(TemplateScore(template.template_id, template.source, match))
    if not scores:
        return MultiTemplateMatch("reject", None, (), tuple(skipped))
    best = min(scores, key=lambda s: s.match.distance)
    return MultiTemplateMatch(best.match.decision, best, tuple(scores), tuple(skipped))
