"""1:N face search over the index, index upkeep, and the nightly duplicate sweep.

Every answer is verified against the database: candidates from the index are loaded, decrypted
and compared by the face engine with the model's calibrated thresholds, so a stale index entry
can never produce a false match (only the nightly rebuild removes stale entries).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.core.faces import get_face_engine
from lifecert.enrollment.models import FaceTemplate, TemplateStatus
from lifecert.enrollment.templates import decrypt_template
from lifecert.face_engine import Embedding
from lifecert.fraud.alerts import LinkSpec, raise_alert
from lifecert.fraud.index import FaceIndex, get_index
from lifecert.fraud.models import Alert, AlertKind, Severity

_BATCH = 2000
_MAX_K = 640


@dataclass(frozen=True)
class FaceHit:
    template_id: int
    retiree_id: int
    distance: float
    decision: str  # the engine's band for this distance: "accept", "review" or "reject"


def _load_into(index: FaceIndex, templates: Iterable[FaceTemplate]) -> int:
    ids, vectors = [], []
    for template in templates:
        index.high_water = max(index.high_water, template.id)
        if template.status != TemplateStatus.REJECTED:
            ids.append(template.id)
            vectors.append(decrypt_template(template).vector)
    return index.add(ids, np.stack(vectors)) if ids else 0


def rebuild_index(session: Session, *, model_id: str, save: bool = True) -> FaceIndex:
    """Fill the model's index afresh from the decrypted templates (and save it)."""
    index = get_index(model_id)
    with index._lock:
        index.clear()
        after = 0
        while rows := session.scalars(
            select(FaceTemplate)
            .where(FaceTemplate.model_id == model_id, FaceTemplate.id > after)
            .order_by(FaceTemplate.id)
            .limit(_BATCH)
        ).all():
            _load_into(index, rows)
            after = rows[-1].id
        if len(index) > index.options.exact_max:
            index.build_approximate()
        if save:
            index.save()
    return index


def rebuild_all_indexes(session: Session) -> dict[str, int]:
    models = session.scalars(select(FaceTemplate.model_id).distinct()).all()
    return {m: len(rebuild_index(session, model_id=m)) for m in models}


def sync_index(session: Session, *, model_id: str) -> FaceIndex:
    """Bring this process's index up to date with templates added since it last looked."""
    index = get_index(model_id)
    with index._lock:
        # The newest id of any model: one primary-key lookup, however large the gallery.
        newest = session.scalar(select(func.max(FaceTemplate.id)))
        if newest is None or newest < index.high_water:
            # Ids went backwards: a rolled-back insert's id was reused (SQLite). Start afresh.
            return rebuild_index(session, model_id=model_id, save=False)
        while rows := session.scalars(
            select(FaceTemplate)
            .where(FaceTemplate.model_id == model_id, FaceTemplate.id > index.high_water)
            .order_by(FaceTemplate.id)
            .limit(_BATCH)
        ).all():
            _load_into(index, rows)
    return index


def search_face(
    session: Session, *, embedding: Embedding, exclude_retiree: int | None = None, k: int = 5
) -> list[FaceHit]:
    """The nearest templates of *other* people (best first), each verified by the engine."""
    index = sync_index(session, model_id=embedding.model_id)
    engine = get_face_engine()
    wanted = max(k, 10)
    while True:
        candidates = index.search(embedding.vector, wanted)
        hits = _verified(session, engine, embedding, [c for c, _ in candidates], exclude_retiree)
        if len(hits) >= k or len(candidates) < wanted or wanted >= _MAX_K:
            return hits[:k]
        wanted *= 4  # the nearest ones were this person's own or stale templates


def _verified(
    session: Session,
    engine: object,
    embedding: Embedding,
    template_ids: list[int],
    exclude_retiree: int | None,
) -> list[FaceHit]:
    if not template_ids:
        return []
    stmt = select(FaceTemplate).where(
        FaceTemplate.id.in_(template_ids),
        FaceTemplate.model_id == embedding.model_id,
        FaceTemplate.status != TemplateStatus.REJECTED,
    )
    if exclude_retiree is not None:
        stmt = stmt.where(FaceTemplate.retiree_id != exclude_retiree)
    hits = []
    for template in session.scalars(stmt):
        match = engine.compare(embedding, decrypt_template(template))  # type: ignore[attr-defined]
        hits.append(
            FaceHit(template.id, template.retiree_id, float(match.distance), match.decision)
        )
    return sorted(hits, key=lambda h: h.distance)


def find_face_duplicate(
    session: Session, *, embedding: Embedding, exclude_retiree: int
) -> FaceHit | None:
    """The nearest other person if the engine says it is the same face ("accept"), else None."""
    hits = search_face(session, embedding=embedding, exclude_retiree=exclude_retiree, k=1)
    return hits[0] if hits and hits[0].decision == "accept" else None


def raise_duplicate_alert(
    session: Session,
    *,
    retiree_id: int,
    other_retiree_id: int,
    distance: float,
    context: str,
    template_id: int | None = None,
    other_template_id: int | None = None,
    extra: dict[str, object] | None = None,
) -> Alert:
    """One alert per pair of identities sharing a face (raised again only while unresolved)."""
    low, high = sorted((retiree_id, other_retiree_id))
    evidence: dict[str, object] = {
        "rule": "duplicate_face",
        "context": context,  # "enrollment", "certification" or "sweep"
        "distance": round(distance, 4),
        "retiree_id": retiree_id,
        "other_retiree_id": other_retiree_id,
        "template_id": template_id,
        "other_template_id": other_template_id,
        **(extra or {}),
    }
    return raise_alert(
        session,
        kind=AlertKind.DUPLICATE_FACE,
        severity=Severity.HIGH,
        evidence=evidence,
        retiree_ids=[retiree_id, other_retiree_id],
        dedup_key=f"duplicate_face:{low}:{high}",
    )


def check_live_face(
    session: Session,
    *,
    embedding: Embedding,
    retiree_id: int,
    context: str = "certification",
    links: Iterable[LinkSpec] = (),
    extra: dict[str, object] | None = None,
) -> Alert | None:
    """For every certification: search the live face against everyone else. A hit raises (or
    returns the open) duplicate alert; the caller must then not accept automatically."""
    hit = find_face_duplicate(session, embedding=embedding, exclude_retiree=retiree_id)
    if hit is None:
        return None
    alert = raise_duplicate_alert(
        session,
        retiree_id=retiree_id,
        other_retiree_id=hit.retiree_id,
        distance=hit.distance,
        context=context,
        other_template_id=hit.template_id,
        extra=extra,
    )
    if links:
        from lifecert.fraud.alerts import add_links

        add_links(session, alert, links)
    return alert


def sweep_duplicates(session: Session, *, k: int = 4, nprobe: int | None = None) -> dict[str, int]:
    """Nightly: rebuild every index from the database, then search each template against the
    gallery; pairs of different people within the accept distance raise alerts."""
    engine = get_face_engine()
    counts = {"templates": 0, "pairs": 0, "alerts": 0}
    for model_id in session.scalars(select(FaceTemplate.model_id).distinct()).all():
        thresholds = engine.thresholds.get(model_id)
        if thresholds is None:
            continue
        index = rebuild_index(session, model_id=model_id)
        ids = index.all_ids()
        counts["templates"] += len(ids)
        owner: dict[int, int] = {
            tid: rid
            for tid, rid in session.execute(
                select(FaceTemplate.id, FaceTemplate.retiree_id).where(
                    FaceTemplate.model_id == model_id
                )
            )
        }
        seen: set[tuple[int, int]] = set()
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            distances, neighbours = index.search_many(index.vectors(batch), k + 1, nprobe=nprobe)
            for tid, row_d, row_i in zip(batch.tolist(), distances, neighbours, strict=True):
                for d, other in zip(row_d.tolist(), row_i.tolist(), strict=True):
                    a, b = owner.get(tid), owner.get(other)
                    if other < 0 or d > thresholds.accept or a is None or b is None or a == b:
                        continue
                    pair = (min(a, b), max(a, b))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    counts["pairs"] += 1
                    if _confirm_pair(session, engine, tid, other):
                        raise_duplicate_alert(
                            session,
                            retiree_id=a,
                            other_retiree_id=b,
                            distance=d,
                            context="sweep",
                            template_id=tid,
                            other_template_id=other,
                        )
                        counts["alerts"] += 1
    return counts


def _confirm_pair(session: Session, engine: object, first: int, second: int) -> bool:
    a, b = session.get(FaceTemplate, first), session.get(FaceTemplate, second)
    if a is None or b is None:
        return False
    match = engine.compare(decrypt_template(a), decrypt_template(b))  # type: ignore[attr-defined]
    return bool(match.decision == "accept")


def raise_homecare_alert(
    session: Session,
    *,
    severity: str,
    evidence: dict[str, object],
    retiree_ids: list[int],
    dedup_key: str,
) -> Alert:
    """An alert for home-care visits that broke a rule (``homecare.rules``), in the same triage
    queue as every other fraud signal; the same finding extends the same alert."""
    return raise_alert(session, kind=AlertKind.HOMECARE_VISIT, severity=Severity(severity),
                       evidence=dict(evidence), retiree_ids=retiree_ids, dedup_key=dedup_key)
