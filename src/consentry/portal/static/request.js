// The request and status forms: photos and videos are hashed on this device, and only
// the hashes join the form, as hidden fields. The files themselves are never sent: the
// file input has no name, and nothing here opens a connection. A video's frames are read
// here (a <video> element needs the page) and hashed by the worker with everything else.

import { collapseFrames } from "./photo.js";
import { eachFrame } from "./frames.js";

const IN_FLIGHT = 4; // frames read and not yet hashed, per video

const form = document.querySelector("form[data-hashing]");
if (form) start(form);

function start(form) {
  const picker = document.querySelector("#picker");
  const input = document.querySelector("#photo-input");
  const list = document.querySelector("#photo-list");
  const wait = document.querySelector("#photo-wait");
  const text = document.querySelector("#photo-messages").dataset;

  const worker = new Worker("/portal/static/hasher.js", { type: "module" });
  const pending = new Map(); // id -> { item, result, frames, waiting }
  const frameReplies = new Map(); // "id:seconds" -> resolve of a frame being hashed
  let counter = 0;

  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

  function say(item, message, problem = false) {
    const status = item.querySelector(".photo-status");
    status.textContent = message;
    status.classList.toggle("error", problem);
  }

  function field(item, parts) {
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "hash";
    hidden.value = parts.join(":");
    item.append(hidden);
  }

  function add(file) {
    const id = ++counter;
    const item = document.createElement("li");
    item.className = "photo";
    item.dataset.id = String(id);
    if (file.type.startsWith("image/")) {
      // A thumbnail made and shown on this device only (a blob: URL never leaves it).
      const thumbnail = document.createElement("img");
      thumbnail.alt = "";
      thumbnail.src = URL.createObjectURL(file);
      thumbnail.addEventListener("error", () => thumbnail.remove());
      item.append(thumbnail);
    }
    const name = document.createElement("span");
    name.className = "photo-name";
    name.textContent = file.name;
    const status = document.createElement("span");
    status.className = "photo-status";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = text.remove;
    remove.setAttribute("aria-label", `${text.remove}: ${file.name}`);
    remove.addEventListener("click", () => {
      pending.delete(id); // also stops reading the video's frames
      const image = item.querySelector("img");
      if (image) URL.revokeObjectURL(image.src);
      item.remove();
      input.focus();
    });
    item.append(name, status, remove);
    list.append(item);
    say(item, text.hashing);
    const video = file.type.startsWith("video/");
    const state = { item, video, result: null, frames: video ? null : [], waiting: video ? 2 : 1 };
    pending.set(id, state);
    worker.postMessage({ id, file });
    if (video) readFrames(id, file, state);
  }

  async function readFrames(id, file, state) {
    const replies = [];
    let done = 0;
    try {
      state.item.dataset.reader = await eachFrame(
        file,
        async ({ t, count, bitmap }) => {
          const hashed = new Promise((resolve) => frameReplies.set(`${id}:${t}`, resolve));
          worker.postMessage({ id, frame: { t, bitmap } }, [bitmap]);
          replies.push(
            hashed.then((frame) => {
              done += 1;
              state.framesSeen = true;
              if (pending.get(id) === state) {
                say(state.item, fill(text.videoProgress, { percent: Math.floor((100 * done) / count) }));
              }
              return frame;
            }),
          );
          // A few frames in hand at most: a frame is megabytes until it is hashed.
          if (replies.length - done >= IN_FLIGHT) await hashed;
        },
        () => pending.get(id) !== state,
      );
    } catch (error) {
      // Not playable here: the file's digests still find exact copies.
      state.exactOnly = true;
    }
    const frames = (await Promise.all(replies)).filter((frame) => !frame.failed);
    frames.sort((a, b) => a.t - b.t);
    state.frames = collapseFrames(frames);
    settle(id, state);
  }

  function settle(id, state) {
    state.waiting -= 1;
    if (state.waiting > 0 || pending.get(id) !== state) return;
    pending.delete(id);
    const { item } = state;
    if (state.failure) {
      say(item, text[state.failure], true);
      item.dataset.failed = "true";
      return;
    }
    // The file's number keeps its values (PDQ, windows or frames, digests) together.
    for (const hash of state.result.hashes) {
      field(item, [hash.signal_type, hash.value, hash.quality ?? "", id]);
    }
    for (const frame of state.frames) field(item, ["vpdq", frame.hash, frame.quality, id, frame.t]);
    const pdq = state.result.hashes.find((hash) => hash.signal_type === "pdq");
    item.dataset.done = "true";
    if (pdq && pdq.quality < 50) {
      item.dataset.lowQuality = "true";
      say(item, fill(text.lowQuality, { quality: pdq.quality }), true);
    } else if (state.video) {
      item.dataset.frames = String(state.frames.length);
      say(item, state.exactOnly || !state.frames.length ? text.videoExactOnly : text.videoReady);
    } else {
      say(item, text.ready);
    }
    if (pending.size === 0) wait.hidden = true;
  }

  worker.addEventListener("message", ({ data }) => {
    if (data.frame) {
      const key = `${data.id}:${data.frame.t}`;
      const resolve = frameReplies.get(key);
      frameReplies.delete(key);
      if (resolve) resolve(data.frame);
      return;
    }
    const state = pending.get(data.id);
    if (!state) return; // removed while it was being hashed
    if (data.progress !== undefined) {
      // The file's digests; once frames are being read, their progress is shown instead.
      if (!state.framesSeen) {
        say(state.item, fill(text.videoProgress, { percent: Math.floor(data.progress * 100) }));
      }
      return;
    }
    if (data.failure) state.failure = data.failure;
    else state.result = data.result;
    settle(data.id, state);
  });

  const chosen = () => {
    for (const file of input.files) add(file);
    input.value = "";
  };
  input.addEventListener("change", chosen);
  // Files chosen while this module was still loading fired no event we heard.
  if (input.files.length) chosen();

  form.addEventListener("submit", (event) => {
    if (pending.size > 0) {
      event.preventDefault();
      wait.hidden = false;
      wait.focus();
    }
  });

  picker.hidden = false;
}
