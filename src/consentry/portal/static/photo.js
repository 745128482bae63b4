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


// One video frame's PDQ (the bitmap is closed once read).
export function hashFrame(bitmap) {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  return pdqFromRgba(pixels.data, pixels.width, pixels.height);
}

const BITS = Array.from({ length: 16 }, (_, n) => n.toString(2).replace(/0/g, "").length);

function distance(a, b) {
  let bits = 0;
  for (let i = 0; i < a.length; i++) bits += BITS[parseInt(a[i], 16) ^ parseInt(b[i], 16)];
  return bits;
}

// As the server keeps a video's frames: reliable ones (quality 50 and up), each more
// than 4 bits from the last one kept, so a still scene is one frame.
export function collapseFrames(frames) {
  const kept = [];
  for (const frame of frames) {
    if (frame.quality < 50) continue;
    if (kept.length && distance(kept[kept.length - 1].hash, frame.hash) <= 4) continue;
    kept.push(frame);
  }
  return kept;
}
