"""Copy-move: a region duplicated within the image (Amerini et al. 2011, SIFT matching
with geometric verification)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from consentry.detection.base import (
    Applicability,
    Budget,
    Finding,
    Subject,
    check_budget,
    not_applicable,
)
from consentry.detection.forensics.maps import MIN_SIDE, heatmap_png

BLOCK = 16


def _keypoint_pairs(points: Any, descriptors: Any, min_distance: float) -> list[tuple[Any, Any]]:
    """Pairs of keypoints whose nearest other keypoint is a clear match (Lowe's ratio
    against the next best) lying far enough away not to be the same spot."""
    import cv2

    pairs = []
    for candidates in cv2.BFMatcher(cv2.NORM_L2).knnMatch(descriptors, descriptors, k=3):
        if len(candidates) < 3:
            continue
        _, second, third = candidates  # the first match is the keypoint itself
        a, b = points[second.queryIdx].pt, points[second.trainIdx].pt
        if (
            second.distance < 0.6 * third.distance
            and np.hypot(a[0] - b[0], a[1] - b[1]) > min_distance
        ):
            pairs.append((a, b))
    return pairs


class CopyMove:
    """Copy-move: a region duplicated within the image, found as keypoints (SIFT) that
    match others in the same image, confirmed by one geometric transform (RANSAC)."""

    name, version, applies_to = "copy_move", "2", "images (any format)"
    pixels = True
    min_inliers = 10  # matches agreeing on one transform before a region is called duplicated
    detail_side = 900  # smaller images are enlarged first: more keypoints to match

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        import cv2  # OpenCV is large: loaded only when this detector runs

        if subject.image is None:
            return not_applicable(self, "Not an image this service can decode.")
        image = subject.image.convert("L")
        if min(image.size) < MIN_SIDE:
            return not_applicable(self, "Too small to look for duplicated regions.")
        scale = max(1.0, self.detail_side / max(image.size))
        if scale > 1:
            image = image.resize(
                (round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC
            )
        grey = np.asarray(image)
        points, descriptors = cv2.SIFT.create(nfeatures=5000).detectAndCompute(grey, None)
        check_budget(budget)
        heat = np.zeros((max(1, grey.shape[0] // BLOCK), max(1, grey.shape[1] // BLOCK)))
        inliers = 0
        pairs = [] if descriptors is None else _keypoint_pairs(points, descriptors, 20 * scale)
        check_budget(budget)
        if len(pairs) >= 3:
            source = np.array([p[0] for p in pairs], dtype=np.float32)
            target = np.array([p[1] for p in pairs], dtype=np.float32)
            _, mask = cv2.estimateAffinePartial2D(
                source, target, method=cv2.RANSAC, ransacReprojThreshold=3.0 * scale
            )
            if mask is not None:
                kept = mask.ravel().astype(bool)
                inliers = int(kept.sum())
                for x, y in np.concatenate([source[kept], target[kept]]):
                    row = min(int(y) // BLOCK, heat.shape[0] - 1)
                    col = min(int(x) // BLOCK, heat.shape[1] - 1)
                    heat[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2] += 1
        found = inliers >= self.min_inliers
        return Finding(
            self.name,
            self.version,
            Applicability.APPLICABLE,
            "Keypoints that match elsewhere in the same image under one transform suggest a"
            " duplicated region. Repetitive patterns (tiles, fabric, windows) match too.",
            verdict="duplicated_region" if found else "none",
            score=float(1 - np.exp(-inliers / 15)),
            details={**subject.plane_details(grid=False), "matched_keypoints": inliers},
            heatmap_png=heatmap_png(heat, subject.image.size),
        )
