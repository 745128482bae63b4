// Hashes of one photo or video, computed where this runs (the page's worker, or a
// test page). Nothing here opens a network connection.

import { fileDigests } from "./digests.js";
import { pdqFromRgba } from "./pdq.js";
import { windowHashes } from "./windows.js";

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

async function decode(file) {
  // EXIF orientation is honoured (the hash is of the photo as seen); colours are left
  // as stored, as the reference decoder leaves them.
  const bitmap = await createImageBitmap(file, {
    imageOrientation: "from-image",
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

export async function hashPhoto(file) {
  const started = performance.now();
  const pixels = await decode(file);
  const { hash, quality } = pdqFromRgba(pixels.data, pixels.width, pixels.height);
  const sha256 = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
  return {
    kind: "photo",
    width: pixels.width,
    height: pixels.height,
    milliseconds: Math.round(performance.now() - started),
    hashes: [
      { signal_type: "pdq", value: hash, quality },
      ...windowHashes(pixels.data, pixels.width, pixels.height).map((w) => ({
        signal_type: "pdq_windows",
        value: w.hash,
        quality: w.quality,
      })),
      { signal_type: "sha256", value: sha256 },
    ],
  };
}

export async function hashVideo(file, progress) {
  const { md5, sha256 } = await fileDigests(file, progress);
  return {
    kind: "video",
    hashes: [
      { signal_type: "md5", value: md5 },
      { signal_type: "sha256", value: sha256 },
    ],
  };
}

