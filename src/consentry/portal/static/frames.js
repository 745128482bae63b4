// The frames of a video, read on this device. An MP4 is decoded frame by frame with
// WebCodecs where the browser has it (decoded.js: each frame decoded once). Otherwise
// <video> elements (muted, never shown, never played) are seeked to each sampling time,
// as vPDQ samples one frame a second, and the frame shown there is handed over as a
// bitmap; a seek decodes from the last keyframe, so a few elements read parts of the
// video side by side, one per core (up to four). Nothing here opens a connection.

import { decodeFrames } from "./decoded.js";

export const SECONDS_PER_FRAME = 1;
// A request carries at most this many frames (an hour, at one a second).
export const MAX_FRAMES = 3600;
const MAX_READERS = 4;

function once(target, event) {
  return new Promise((resolve, reject) => {
    const settle = (outcome) => {
      target.removeEventListener(event, done);
      target.removeEventListener("error", failed);
      outcome();
    };
    const done = () => settle(resolve);
    const failed = () => settle(() => reject(new Error("the video cannot be read")));
    target.addEventListener(event, done);
    target.addEventListener("error", failed);
  });
}

async function open(url) {
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  const loaded = once(video, "loadeddata");
  video.src = url;
  await loaded;
  return video;
}

function close(video) {
  video.removeAttribute("src");
  video.load();
}

// Calls `onFrame({ t, duration, count, bitmap })` for each sampled frame, in no set
// order, and waits for it (a caller with frames in hand can make the readers wait).
// Stops early when `stopped()`. Rejects when the browser cannot play the file. Returns
// how the frames were read: "decoded" or "seeked".
export async function eachFrame(file, onFrame, stopped = () => false) {
  const url = URL.createObjectURL(file);
  const videos = [];
  try {
    videos.push(await open(url));
    const duration = videos[0].duration;
    if (!Number.isFinite(duration) || duration <= 0) throw new Error("no duration");
    const count = Math.min(Math.ceil(duration / SECONDS_PER_FRAME), MAX_FRAMES);
    const sampling = { duration, count, step: SECONDS_PER_FRAME };
    if (await decodeFrames(file, sampling, onFrame, stopped)) return "decoded";
    const cores = navigator.hardwareConcurrency || 2;
    const readers = Math.max(1, Math.min(MAX_READERS, cores, Math.ceil(count / 8)));
    while (videos.length < readers) videos.push(await open(url));
    const share = Math.ceil(count / readers);
    await Promise.all(
      videos.map(async (video, reader) => {
        const last = Math.min(count, (reader + 1) * share);
        for (let n = reader * share; n < last && !stopped(); n++) {
          const t = n * SECONDS_PER_FRAME;
          const seeked = once(video, "seeked");
          // Just past the sampling time: the frame that starts there, as vPDQ picks it.
          video.currentTime = Math.min(t + 0.001, duration);
          await seeked;
          let bitmap;
          try {
            bitmap = await createImageBitmap(video);
          } catch (error) {
            continue; // this frame could not be drawn: the others still count
          }
          await onFrame({ t, duration, count, bitmap });
        }
      }),
    );
    return "seeked";
  } finally {
    videos.forEach(close);
    URL.revokeObjectURL(url);
  }
}
