"""Fill the descriptor cache of LAG (both variants) and the LFW pair images (run once)."""
from __future__ import annotations

import sys

from lifecert.face_engine.shared_data import default_data_dir
from training.xage_descriptors import load_or_embed, make_engine, read_lag_manifest
from training.xage_lfw import lfw_pair_images


def main() -> None:
    data = default_data_dir() if len(sys.argv) < 2 else __import__("pathlib").Path(sys.argv[1])
    engine = make_engine()
    names = [p for p, _, _ in read_lag_manifest(data / "lag")]
    lfw = lfw_pair_images(data / "lfw")
    for dataset, variant in (("lag", "plain"), ("lfw", "plain"), ("lag", "upscaled")):
        wanted = names if dataset == "lag" else lfw
        s = load_or_embed(engine, data / dataset / "images", wanted, dataset, variant)
        print(dataset, variant, "undetected", int((~s.detected).sum()), "of", len(wanted))


if __name__ == "__main__":
    main()
