// The request and status forms: photos are hashed on this device by a worker, and only
// the hashes join the form, as hidden fields. The files themselves are never sent: the
// file input has no name, and nothing here opens a connection.

const form = document.querySelector("form[data-hashing]");
if (form) start(form);

function start(form) {
  const picker = document.querySelector("#picker");
  const input = document.querySelector("#photo-input");
  const list = document.querySelector("#photo-list");
  const wait = document.querySelector("#photo-wait");
  const text = document.querySelector("#photo-messages").dataset;

  const worker = new Worker("/portal/static/hasher.js", { type: "module" });
  const pending = new Map();
  let counter = 0;

  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

  function say(item, message, problem = false) {
    const status = item.querySelector(".photo-status");
    status.textContent = message;
    status.classList.toggle("error", problem);
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
      pending.delete(id);
      const image = item.querySelector("img");
      if (image) URL.revokeObjectURL(image.src);
      item.remove();
      input.focus();
    });
    item.append(name, status, remove);
    list.append(item);
    say(item, text.hashing);
    pending.set(id, item);
    worker.postMessage({ id, file });
  }

  worker.addEventListener("message", ({ data }) => {
    const item = pending.get(data.id);
    if (!item) return; // removed while it was being hashed
    if (data.progress !== undefined) {
      say(item, fill(text.videoProgress, { percent: Math.floor(data.progress * 100) }));
      return;
    }
    pending.delete(data.id);
    if (data.failure) {
      say(item, text[data.failure], true);
      item.dataset.failed = "true";
      return;
    }
    const { kind, hashes } = data.result;
    for (const hash of hashes) {
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "hash";
      // The photo's number keeps its values (PDQ, windows, digest) together at the server.
      field.value = [hash.signal_type, hash.value, hash.quality ?? "", data.id].join(":");
      item.append(field);
    }
    const pdq = hashes.find((hash) => hash.signal_type === "pdq");
    item.dataset.done = "true";
    if (pdq && pdq.quality < 50) {
      item.dataset.lowQuality = "true";
      say(item, fill(text.lowQuality, { quality: pdq.quality }), true);
    } else {
      say(item, kind === "video" ? text.videoReady : text.ready);
    }
    if (pending.size === 0) wait.hidden = true;
  });

  input.addEventListener("change", () => {
    for (const file of input.files) add(file);
    input.value = "";
  });

  form.addEventListener("submit", (event) => {
    if (pending.size > 0) {
      event.preventDefault();
      wait.hidden = false;
      wait.focus();
    }
  });

  picker.hidden = false;
}
