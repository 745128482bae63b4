// Keypoint-anchored PDQ windows, step for step as consentry/hashing/keypoints.py and
// windows.py compute them (docs/keypoints.md), so that a photo hashed here yields the
// windows the server finds in its edited copies. Float64 throughout, in the same loop
// order as the Python, so both round alike.

import { dct16, qualityOf, toHex } from "./pdq.js";

const WORK_SIDE = 512;
const MIN_WORK_SHORT_SIDE = 64;
const OCTAVES = 4;
const LEVELS = 5;
const BASE_SIGMA = 1.6;
const MIN_OCTAVE_SIDE = 24;
const MIN_RESPONSE = 20.0;
const STRONGEST = 16;
const MAX_WINDOWS = 48;
const MARGIN = 0.04;
const SEPARATION = 0.05;
const MIN_PAIR = 0.15;
const SAMPLES = 64;
const MIN_RELIABLE_QUALITY = 50;

// A plane: { h, w, v: Float64Array(h * w) }, row-major.
const plane = (h, w) => ({ h, w, v: new Float64Array(h * w) });

function taps(sizeIn, sizeOut) {
  const ratio = sizeIn / sizeOut;
  const width = Math.ceil(ratio) + 2;
  const first = new Int32Array(sizeOut);
  const weights = new Float64Array(sizeOut * width);
  for (let j = 0; j < sizeOut; j++) {
    if (ratio >= 1.0) {
      const start = j * ratio;
      const stop = (j + 1) * ratio;
      const lo = Math.floor(start);
      first[j] = lo;
      for (let t = 0; t < width; t++) {
        const i = lo + t;
        if (i >= sizeIn) break;
        const overlap = Math.min(i + 1.0, stop) - Math.max(i, start);
        if (overlap > 0.0) weights[j * width + t] = overlap / ratio;
      }
    } else {
      let x = (j + 0.5) * ratio - 0.5;
      if (x < 0.0) x = 0.0;
      if (x > sizeIn - 1.0) x = sizeIn - 1.0;
      const lo = Math.floor(x);
      const frac = x - lo;
      first[j] = lo;
      weights[j * width] = 1.0 - frac;
      if (lo + 1 < sizeIn) weights[j * width + 1] = frac;
    }
  }
  return { first, weights, width };
}

function resample(src, height, width) {
  const cols = taps(src.w, width);
  const rows = taps(src.h, height);
  const across = plane(src.h, width);
  for (let y = 0; y < src.h; y++) {
    for (let j = 0; j < width; j++) {
      let total = 0.0;
      for (let t = 0; t < cols.width; t++) {
        const w = cols.weights[j * cols.width + t];
        if (w !== 0.0) total += w * src.v[y * src.w + cols.first[j] + t];
      }
      across.v[y * width + j] = total;
    }
  }
  const out = plane(height, width);
  for (let i = 0; i < height; i++) {
    for (let t = 0; t < rows.width; t++) {
      const w = rows.weights[i * rows.width + t];
      if (w !== 0.0) {
        const source = rows.first[i] + t;
        for (let j = 0; j < width; j++) out.v[i * width + j] += w * across.v[source * width + j];
      }
    }
  }
  return out;
}

function halve(src) {
  const out = plane(Math.floor(src.h / 2), Math.floor(src.w / 2));
  for (let y = 0; y < out.h; y++) {
    for (let x = 0; x < out.w; x++) {
      const a = 2 * y * src.w + 2 * x;
      out.v[y * out.w + x] = 0.25 * (src.v[a] + src.v[a + 1] + src.v[a + src.w] + src.v[a + src.w + 1]);
    }
  }
  return out;
}

function kernelOf(sigma) {
  const radius = Math.ceil(3.0 * sigma);
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0.0;
  for (let i = -radius; i <= radius; i++) {
    const value = Math.exp(-(i * i) / (2.0 * sigma * sigma));
    kernel[i + radius] = value;
    total += value;
  }
  for (let i = 0; i < 2 * radius + 1; i++) kernel[i] /= total;
  return { kernel, radius };
}

function blur(src, sigma) {
  const { kernel, radius } = kernelOf(sigma);
  const { h, w } = src;
  const across = plane(h, w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let total = 0.0;
      for (let t = -radius; t <= radius; t++) {
        const i = Math.min(Math.max(x + t, 0), w - 1);
        total += kernel[t + radius] * src.v[y * w + i];
      }
      across.v[y * w + x] = total;
    }
  }
  const out = plane(h, w);
  for (let y = 0; y < h; y++) {
    for (let t = -radius; t <= radius; t++) {
      const i = Math.min(Math.max(y + t, 0), h - 1);
      const k = kernel[t + radius];
      for (let x = 0; x < w; x++) out.v[y * w + x] += k * across.v[i * w + x];
    }
  }
  return out;
}

function hessianResponse(b, sigma) {
  const { h, w } = b;
  const out = new Float64Array(h * w);
  const norm = sigma * sigma * sigma * sigma;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const c = y * w + x;
      const centre = b.v[c];
      const lxx = b.v[c + 1] - 2.0 * centre + b.v[c - 1];
      const lyy = b.v[c + w] - 2.0 * centre + b.v[c - w];
      const lxy = 0.25 * (b.v[c + w + 1] - b.v[c + w - 1] - b.v[c - w + 1] + b.v[c - w - 1]);
      out[c] = norm * (lxx * lyy - lxy * lxy);
    }
  }
  return out;
}

function offset(before, centre, after) {
  const curvature = before - 2.0 * centre + after;
  if (curvature >= 0.0) return 0.0;
  const step = (0.5 * (before - after)) / curvature;
  return Math.min(Math.max(step, -0.5), 0.5);
}

function octaveExtrema(base, octave, found) {
  const { h, w } = base;
  const responses = [];
  for (let level = 0; level < LEVELS; level++) {
    const sigma = BASE_SIGMA * 2.0 ** (level / 3.0);
    responses.push(hessianResponse(blur(base, sigma), sigma));
  }
  const step = 2.0 ** octave;
  for (let level = 1; level < LEVELS - 1; level++) {
    const r = responses[level];
    for (let y = 2; y < h - 2; y++) {
      for (let x = 2; x < w - 2; x++) {
        const value = r[y * w + x];
        if (value < MIN_RESPONSE) continue;
        let peak = true;
        for (let dl = -1; dl <= 1 && peak; dl++) {
          for (let dy = -1; dy <= 1 && peak; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              if (dl === 0 && dy === 0 && dx === 0) continue;
              if (responses[level + dl][(y + dy) * w + x + dx] >= value) {
                peak = false;
                break;
              }
            }
          }
        }
        if (!peak) continue;
        const ox = offset(r[y * w + x - 1], value, r[y * w + x + 1]);
        const oy = offset(r[(y - 1) * w + x], value, r[(y + 1) * w + x]);
        const os = offset(responses[level - 1][y * w + x], value, responses[level + 1][y * w + x]);
        const sigma = BASE_SIGMA * 2.0 ** ((level + os) / 3.0);
        found.push({
          x: (x + ox + 0.5) * step - 0.5,
          y: (y + oy + 0.5) * step - 0.5,
          sigma: sigma * step,
          response: value,
        });
      }
    }
  }
}

function pyramid(work) {
  const levels = [work];
  while (Math.floor(Math.min(levels.at(-1).h, levels.at(-1).w) / 2) >= MIN_OCTAVE_SIDE) {
    levels.push(halve(levels.at(-1)));
  }
  return levels;
}

function workingPlane(luma) {
  const scale = WORK_SIDE / Math.max(luma.h, luma.w);
  const height = Math.max(1, Math.floor(luma.h * scale + 0.5));
  const width = Math.max(1, Math.floor(luma.w * scale + 0.5));
  return resample(luma, height, width);
}

function detect(levels) {
  if (Math.min(levels[0].h, levels[0].w) < MIN_WORK_SHORT_SIDE) return [];
  const found = [];
  for (let octave = 0; octave < Math.min(OCTAVES, levels.length); octave++) {
    octaveExtrema(levels[octave], octave, found);
  }
  // Strongest first; ties top to bottom, then left to right (a stable sort, as Python's).
  return found.sort((a, b) => b.response - a.response || a.y - b.y || a.x - b.x);
}

function select(keypoints, height, width) {
  const longSide = Math.max(height, width);
  const margin = MARGIN * longSide;
  const separation = SEPARATION * longSide;
  const kept = [];
  for (const p of keypoints) {
    const clear = margin <= p.x && p.x <= width - 1 - margin && margin <= p.y && p.y <= height - 1 - margin;
    if (!clear) continue;
    if (kept.some((k) => Math.hypot(p.x - k.x, p.y - k.y) < separation)) continue;
    kept.push(p);
    if (kept.length === STRONGEST) break;
  }
  return kept;
}

function sampleWindow(level, cx, cy, ux, uy, side, scale) {
  const { h, w } = level;
  const out = new Float64Array(SAMPLES * SAMPLES);
  const vx = -uy;
  const vy = ux;
  for (let i = 0; i < SAMPLES; i++) {
    const b = ((i + 0.5) / SAMPLES - 0.5) * side;
    for (let j = 0; j < SAMPLES; j++) {
      const a = ((j + 0.5) / SAMPLES - 0.5) * side;
      let x = (cx + a * ux + b * vx + 0.5) / scale - 0.5;
      let y = (cy + a * uy + b * vy + 0.5) / scale - 0.5;
      x = Math.min(Math.max(x, 0.0), w - 1.0);
      y = Math.min(Math.max(y, 0.0), h - 1.0);
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const x1 = Math.min(x0 + 1, w - 1);
      const y1 = Math.min(y0 + 1, h - 1);
      const fx = x - x0;
      const fy = y - y0;
      const top = level.v[y0 * w + x0] * (1.0 - fx) + level.v[y0 * w + x1] * fx;
      const bottom = level.v[y1 * w + x0] * (1.0 - fx) + level.v[y1 * w + x1] * fx;
      out[i * SAMPLES + j] = top * (1.0 - fy) + bottom * fy;
    }
  }
  return out;
}

function inside(cx, cy, half, ux, uy, h, w) {
  for (const sa of [-1.0, 1.0]) {
    for (const sb of [-1.0, 1.0]) {
      const x = cx + sa * half * ux - sb * half * uy;
      const y = cy + sa * half * uy + sb * half * ux;
      if (!(-0.5 <= x && x <= w - 0.5 && -0.5 <= y && y <= h - 0.5)) return false;
    }
  }
  return true;
}

// The luma plane of RGBA pixels, as the reference (and luma_of) computes it: float32.
export function lumaOf(rgba, width, height) {
  const luma = plane(height, width);
  for (let i = 0, p = 0; i < width * height; i++, p += 4) {
    luma.v[i] = Math.fround(0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2]);
  }
  return luma;
}

// The windows of a luma plane: [{ x, y, side, angle, hash, quality }], strongest pairs first.
export function windowsOf(luma) {
  const levels = pyramid(workingPlane(luma));
  const { h, w } = levels[0];
  const strongest = select(detect(levels), h, w);
  const shortest = MIN_PAIR * Math.min(h, w);
  const found = [];
  // Pairs of the strongest points first: each point with every stronger one.
  for (let b = 0; b < strongest.length; b++) {
    for (let a = 0; a < b; a++) {
      if (found.length === MAX_WINDOWS) return found;
      // A pair is ordered left to right (then top to bottom): so are the window's axes.
      const [p, q] = [strongest[a], strongest[b]].sort((m, n) => m.x - n.x || m.y - n.y);
      const side = Math.hypot(q.x - p.x, q.y - p.y);
      if (side < shortest) continue;
      const ux = (q.x - p.x) / side;
      const uy = (q.y - p.y) / side;
      const cx = 0.5 * (p.x + q.x);
      const cy = 0.5 * (p.y + q.y);
      if (!inside(cx, cy, 0.5 * side, ux, uy, h, w)) continue;
      const level = Math.min(levels.length - 1, Math.max(0, Math.floor(Math.log2(side / SAMPLES))));
      const buffer = sampleWindow(levels[level], cx, cy, ux, uy, side, 2 ** level);
      const quality = qualityOf(buffer);
      if (quality < MIN_RELIABLE_QUALITY) continue;
      found.push({ x: cx, y: cy, side, angle: Math.atan2(uy, ux), hash: toHex(dct16(buffer)), quality });
    }
  }
  return found;
}

// The distinct window hashes of an image given as RGBA bytes (what a bank holds for it).
export function windowHashes(rgba, width, height) {
  const seen = new Map();
  for (const window of windowsOf(lumaOf(rgba, width, height))) {
    if (!seen.has(window.hash)) seen.set(window.hash, window.quality);
  }
  return [...seen].map(([hash, quality]) => ({ hash, quality }));
}
