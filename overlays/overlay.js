// Presenter overlay (OBS browser source or a second screen). Read-only.
// Reconnects with backoff and resyncs from the server's snapshot, so a server
// restart needs nobody to touch OBS. Text goes in with textContent only.
"use strict";

(function () {
  const root = document.getElementById("overlay");
  const slug = root.dataset.slug;
  const key = root.dataset.key;
  const presenter = root.dataset.view === "presenter";
  // view=thread: an in-room screen showing the latest post of the live thread.
  const threadView = new URLSearchParams(location.search).get("view") === "thread";
  let latest = null;
  const questions = new Map();
  let backoff = 500;

  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${proto}//${location.host}/ws/${encodeURIComponent(slug)}?key=${encodeURIComponent(key)}`;
    const ws = new WebSocket(url);
    ws.onopen = () => { backoff = 500; status("live"); if (threadView) loadLatest(); };
    ws.onmessage = (msg) => {
      const m = JSON.parse(msg.data);
      if (m.type === "snapshot") {
        questions.clear();
        for (const q of m.questions) questions.set(q.id, q);
      } else if (m.type === "question") {
        const old = questions.get(m.question.id);
        if (!old || old.version <= m.question.version) questions.set(m.question.id, m.question);
      } else if (m.type === "question_removed") {
        questions.delete(m.id);
      } else if (m.type === "thread_post") {
        if (!latest || m.post.id >= latest.id) latest = m.post;
      }
      render();
    };
    ws.onclose = () => {
      status("reconnecting…");
      // Jitter spreads out many overlays reconnecting after a restart.
      setTimeout(connect, backoff + Math.random() * 250);
      backoff = Math.min(backoff * 2, 5000);
    };
  }

  function status(text) {
    const conn = document.getElementById("conn");
    if (conn) conn.textContent = text;
    root.dataset.connection = text === "live" ? "live" : "down";
  }

  async function loadLatest() {
    try {
      const res = await fetch(`/overlay/${encodeURIComponent(slug)}/latest-post?key=${encodeURIComponent(key)}`);
      if (!res.ok) return;
      const data = await res.json();
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
  connect();
})();
