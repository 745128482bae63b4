// The one-time token arrives in the URL fragment, which browsers never send to a server;
// it is read here, posted in a JSON body, and the fragment is cleared from the address bar.
const form = document.getElementById("setup");
const message = document.getElementById("message");
const token = new URLSearchParams(window.location.hash.slice(1)).get("token") || "";
history.replaceState(null, "", window.location.pathname);
document.getElementById("token").value = token;
if (!token) {
  message.textContent = "This link has no token. Ask an administrator for a new one.";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const password = form.password.value;
  if (password !== form.confirm.value) {
    message.textContent = "The two passwords differ.";
    return;
  }
  const response = await fetch("/auth/setup", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token, password }),
  });
  const body = await response.json();
  if (!response.ok) {
    message.textContent = body.detail || "The password could not be set.";
    return;
  }
  form.hidden = true;
  message.textContent = `Password set for ${body.email}.`;
  if (body.totp_uri) {
    document.getElementById("totp").hidden = false;
    document.getElementById("totp-uri").textContent = body.totp_uri;
  }
});
