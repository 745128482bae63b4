// Keyboard shortcuts and live countdowns for the review console. Everything here has a
// plain-HTML equivalent: links, buttons and forms work without this script.

const help = document.querySelector("#help");

function countdowns() {
  const now = Date.now();
  for (const element of document.querySelectorAll("time.countdown")) {
    const left = Date.parse(element.getAttribute("datetime")) - now;
    const minutes = Math.floor(Math.abs(left) / 60000);
    const text = `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
    element.textContent = left >= 0 ? `${text} left` : `overdue by ${text}`;
    element.classList.toggle("overdue", left < 0);
  }
}

function toggleHelp(show) {
  if (!help) return;
  help.hidden = !show;
  if (show) document.querySelector("#help-close").focus();
}

function rows() {
  return Array.from(document.querySelectorAll("tr.case-row .open"));
}

function move(step) {
  const links = rows();
  if (links.length > 0) {
    const at = links.indexOf(document.activeElement);
    links[Math.min(links.length - 1, Math.max(0, at + step))].focus();
    return;
  }
  const neighbour = document.querySelector(step > 0 ? "#next-case" : "#previous-case");
  if (neighbour) neighbour.click();
}

function focus(selector) {
  const element = document.querySelector(selector);
  if (element) element.focus();
}

const keys = {
  j: () => move(1),
  k: () => move(-1),
  o: () => (rows().includes(document.activeElement) ? document.activeElement.click() : move(1)),
  c: () => (document.querySelector("#claim-form button") ? focus("#claim-form button") : keys.o()),
  r: () => focus("#policy"),
  x: () => focus("#reason_code"),
  e: () => focus("#escalate-form button"),
  i: () => focus("#message"),
  u: () => focus("#release-form button"),
  "?": () => toggleHelp(help.hidden),
};

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    toggleHelp(false);
    return;
  }
  const typing = event.target.closest("input, textarea, select");
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const action = keys[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});

document.querySelector("#help-close")?.addEventListener("click", () => toggleHelp(false));
countdowns();
setInterval(countdowns, 15000);
