// Presenter overlay (OBS browser source or a second screen). Read-only.
// live.js reconnects with backoff and resyncs from the server's snapshot, so a
// server restart needs nobody to touch OBS. Text goes in with textContent only.
// The shared modules live once, in /static/ (same origin, so the CSP allows them).
import { api } from "/static/api.js";
import { live, Questions } from "/static/live.js";

start(document.getElementById("overlay"));

function start(root) {
  const slug = root.dataset.slug;
  const key = root.dataset.key;
  const presenter = root.dataset.view === "presenter";
  // view=thread: an in-room screen showing the latest post of the live thread.
  const threadView = new URLSearchParams(location.search).get("view") === "thread";
  let latest = null;
  const questions = new Questions();

  function handle(m) {
    questions.apply(m);
    if (m.type === "snapshot" && threadView) loadLatest(); // posts missed while down
    else if (m.type === "thread_post" && (!latest || m.post.id >= latest.id)) latest = m.post;
    render();
  }

  function status(text) {
    const conn = document.getElementById("conn");
    if (conn) conn.textContent = text === "live" ? "live" : "reconnecting…";
    root.dataset.connection = text === "live" ? "live" : "down";
  }

  async function loadLatest() {
    try {
      const data = await api("GET", `/overlay/${encodeURIComponent(slug)}/latest-post?key=${encodeURIComponent(key)}`);
      if (data.post && (!latest || data.post.id >= latest.id)) latest = data.post;
      render();
    } catch (e) { /* the websocket brings the next post anyway */ }
  }

  function renderThread() {
    const card = document.getElementById("thread-post");
    card.hidden = !latest;
    document.getElementById("idle").hidden = !!latest;
    document.getElementById("onair").hidden = true;
    if (!latest) return;
    card.dataset.id = latest.id;
    document.getElementById("thread-text").textContent = latest.text;
    document.getElementById("thread-photos").textContent = latest.photos ? `${latest.photos} photo${latest.photos > 1 ? "s" : ""}` : "";
  }

  function render() {
    if (threadView) { renderThread(); return; }
    const all = [...questions.values()];
    const onair = all.find((q) => q.status === "on_air");
    const card = document.getElementById("onair");
    const idle = document.getElementById("idle");
    if (onair) {
      document.getElementById("onair-text").textContent = onair.text;
      document.getElementById("onair-author").textContent = onair.author || "Anonymous";
      const source = document.getElementById("onair-source");
      source.textContent = onair.source === "x" ? "via X" : "via web";
      source.className = `source source-${onair.source}`;
      card.dataset.id = onair.id;
    }
    card.hidden = !onair;
    idle.hidden = !!onair;
    if (presenter) {
      const next = all.filter((q) => q.status === "approved")
        .sort((a, b) => (b.starred - a.starred) || (b.votes - a.votes) || (a.id - b.id))
        .slice(0, 3)
        .map((q) => {
          const li = document.createElement("li");
          li.textContent = q.text;
          const who = document.createElement("span");
          who.className = "who";
          who.textContent = ` — ${q.author || "Anonymous"}${q.votes ? ` · ▲ ${q.votes}` : ""}`;
          li.append(who);
          return li;
        });
      document.getElementById("next").replaceChildren(...next);
    }
  }

  function tick() {
    const clock = document.getElementById("clock");
    if (clock) clock.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  if (presenter) { tick(); setInterval(tick, 1000); }
  render();
  live(slug, { key, onMessage: handle, onStatus: status, maxDelayMs: 5000 });
}
