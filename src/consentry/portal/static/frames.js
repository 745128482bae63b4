// The frames of a video, read on this device: a <video> element (muted, never shown,
// never played) is seeked to each sampling time, as vPDQ samples one frame a second, and
// the frame shown there is handed over as a bitmap. Nothing here opens a connection.

export const SECONDS_PER_FRAME = 1;
// A request carries at most this many frames (an hour, at one a second).
export const MAX_FRAMES = 3600;

function once(target, event) {
  return new Promise((resolve, reject) => {
    const done = () => {
      target.removeEventListener(event, done);
      target.removeEventListener("error", failed);
      resolve();
    };
    const failed = () => {
      target.removeEventListener(event, done);
      target.removeEventListener("error", failed);
      reject(new Error("the video cannot be read"));
    };
    target.addEventListener(event, done);
    target.addEventListener("error", failed);
  });
}

// Yields { t, duration, bitmap } for each sampled frame; stops early when `stopped()`.
export async function* videoFrames(file, stopped = () => false) {
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  const url = URL.createObjectURL(file);
  try {
    const loaded = once(video, "loadeddata");
    video.src = url;
    await loaded;
    const duration = video.duration;
    if (!Number.isFinite(duration) || duration <= 0) throw new Error("no duration");
    const count = Math.min(Math.ceil(duration / SECONDS_PER_FRAME), MAX_FRAMES);
    for (let n = 0; n < count && !stopped(); n++) {
      const t = n * SECONDS_PER_FRAME;
      const seeked = once(video, "seeked");
      // Just past the sampling time: the frame that starts there, as vPDQ picks it.
      video.currentTime = Math.min(t + 0.001, duration);
      await seeked;
      yield { t, duration, bitmap: await createImageBitmap(video) };
    }
  } finally {
    video.removeAttribute("src");
    video.load();
    URL.revokeObjectURL(url);
  }
}
