"""Face templates at rest: encrypt and decrypt embeddings. Below both ``enrollment.service`` and
``lifecert.fraud`` (which searches templates), so the two depend one way only."""

from __future__ import annotations

import numpy as np

from lifecert.core.crypto import get_keyring
from lifecert.enrollment.models import FaceTemplate
from lifecert.face_engine import Embedding

TEMPLATE_CONTEXT = "face_template"


def encrypt_embedding(embedding: Embedding) -> bytes:
    raw = np.asarray(embedding.vector, dtype="<f4").tobytes()
    return get_keyring().encrypt(raw, context=f"{TEMPLATE_CONTEXT}:{embedding.model_id}".encode())


def decrypt_template(template: FaceTemplate) -> Embedding:
    context = f"{TEMPLATE_CONTEXT}:{template.model_id}".encode()
    vector = np.frombuffer(get_keyring().decrypt(template.embedding_enc, context=context), "<f4")
    return Embedding(vector=vector.copy(), model_id=template.model_id)
