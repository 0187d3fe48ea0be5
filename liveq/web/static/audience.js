// The audience page with JavaScript on: approved questions live, one upvote each.
// The form itself works without this file.
"use strict";

(function () {
  const root = document.getElementById("audience");
  if (!root) return;
  const slug = root.dataset.slug;
  const csrf = root.dataset.csrf;
  const questions = new Map();
  const voted = new Set(JSON.parse(sessionStorage.getItem(`voted:${slug}`) || "[]"));
  let backoff = 500;

  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/ws/${encodeURIComponent(slug)}`);
    ws.onopen = () => { backoff = 500; document.getElementById("live").hidden = false; };
    ws.onmessage = (msg) => {
      const m = JSON.parse(msg.data);
      if (m.type === "snapshot") {
        questions.clear();
        for (const q of m.questions) questions.set(q.id, q);
      } else if (m.type === "question") {
        questions.set(m.question.id, m.question);
      } else if (m.type === "question_removed") {
        questions.delete(m.id);
      }
      render();
    };
    ws.onclose = () => { setTimeout(connect, backoff); backoff = Math.min(backoff * 2, 15000); };
  }

  function render() {
    const list = [...questions.values()]
      .filter((q) => q.status === "approved" || q.status === "on_air" || q.status === "answered")
      .sort((a, b) => (a.status === "on_air" ? -1 : 0) - (b.status === "on_air" ? -1 : 0) || b.votes - a.votes || a.id - b.id);
    const ol = document.getElementById("public-questions");
    ol.replaceChildren(...list.map(item));
    document.getElementById("live-status").textContent =
      list.length ? "Vote for the questions you want answered." : "No questions yet.";
  }

  function item(q) {
    const li = document.createElement("li");
    li.className = `pq pq-${q.status}`;
    li.dataset.id = q.id;
    const text = document.createElement("p");
    text.textContent = q.text;
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = (q.author || "Anonymous") + (q.status === "on_air" ? " · on air now" : q.status === "answered" ? " · answered" : "");
    const vote = document.createElement("button");
    vote.type = "button";
    vote.className = "vote";
    vote.textContent = `▲ ${q.votes}`;
    vote.disabled = voted.has(q.id) || q.status === "answered";
    vote.setAttribute("aria-label", `Upvote (${q.votes} votes)`);
    vote.addEventListener("click", () => upvote(q.id, vote));
    li.append(vote, text, meta);
    return li;
  }

  async function upvote(id, button) {
    button.disabled = true;
    voted.add(id);
    sessionStorage.setItem(`voted:${slug}`, JSON.stringify([...voted]));
    const res = await fetch(`/e/${encodeURIComponent(slug)}/questions/${id}/vote`, {
      method: "POST", headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }, credentials: "same-origin",
    });
    if (!res.ok) { voted.delete(id); button.disabled = false; }
  }

  connect();
})();
