// Presenter overlay (OBS browser source or a second screen). Read-only.
// live.js reconnects with backoff and resyncs from the server's snapshot, so a
// server restart needs nobody to touch OBS. Text goes in with textContent only.
// The shared modules live once, in /static/ (same origin, so the CSP allows them).
import { api } from "/static/api.js";
import { live, Questions } from "/static/live.js";
import { Polls, renderBars, renderCloud, total } from "/static/polls.js";
import { clockText, secondsLeft, timerState } from "/static/timer.js";

start(document.getElementById("overlay"));

function start(root) {
  const slug = root.dataset.slug;
  const key = root.dataset.key;
  const presenter = root.dataset.view === "presenter";
  // view=thread: an in-room screen showing the latest post of the live thread.
  const threadView = root.dataset.view === "thread";
  // The smallest type the presenter's view shrinks a long question to.
  const MIN_PRESENTER_PX = 18;
  let latest = null;
  const questions = new Questions();
  // view=poll (a lower-third bar chart) and view=cloud (a word cloud) show the current
  // poll's results, once the moderator shows them; the presenter's view shows them too.
  const pollView = root.dataset.view === "poll" || root.dataset.view === "cloud";
  const polls = new Polls();

  // The presenter view only: the session timer, the latest backstage message, and
  // the label the "up next" list is filtered by (kept in this browser).
  let timer = null;
  let label = "";
  try { label = localStorage.getItem(`liveq-presenter-label-${slug}`) || ""; } catch (e) { /* private mode */ }

  function handle(m) {
    questions.apply(m);
    polls.apply(m);
    if (presenter) presenterMessage(m);
    if (m.type === "snapshot" && threadView) loadLatest(); // posts missed while down
    else if (m.type === "thread_post" && (!latest || m.post.id >= latest.id)) latest = m.post;
    render();
  }

  function status(text) {
    const conn = document.getElementById("conn");
    if (conn) conn.textContent = text === "live" ? "live" : "reconnecting…";
    root.dataset.connection = text === "live" ? "live" : "down";
    if (text !== "live") checkLink();
  }

  // Disconnected: is it the network, or was the key rotated (or the event removed)? A
  // refused link reloads into the server's transparent "link not working" page, which
  // keeps looking and brings the overlay back once the key is valid again.
  let checking = false;
  async function checkLink() {
    if (checking) return;
    checking = true;
    try {
      await api("GET", `/overlay/${encodeURIComponent(slug)}/latest-post?key=${encodeURIComponent(key)}`);
    } catch (err) {
      if (err.status === 403 || err.status === 404) { location.reload(); return; }
    } finally {
      checking = false;
    }
  }

  async function loadLatest() {
    try {
      const data = await api("GET", `/overlay/${encodeURIComponent(slug)}/latest-post?key=${encodeURIComponent(key)}`);
      if (data.post && (!latest || data.post.id >= latest.id)) latest = data.post;
      render();
    } catch (e) { /* the websocket brings the next post anyway */ }
  }

  // The in-room screen: the latest post beside its photos; how to ask stays at the bottom.
  function renderThread() {
    const card = document.getElementById("thread-post");
    card.hidden = !latest;
    document.getElementById("onair").hidden = true;
    if (!latest) return;
    if (card.dataset.id === String(latest.id)) return;  // same post: keep the loaded photos
    card.dataset.id = latest.id;
    document.getElementById("thread-text").textContent = latest.text;
    const photos = document.getElementById("thread-photos");
    const images = latest.images || [];
    photos.dataset.count = images.length;
    photos.replaceChildren(...images.map((image) => {
      const figure = document.createElement("figure");
      const img = document.createElement("img");
      img.src = `/overlay/${encodeURIComponent(slug)}/posts/${latest.id}/photos/${image.n}?key=${encodeURIComponent(key)}`;
      img.alt = image.alt;
      figure.append(img);
      return figure;
    }));
  }

  // The presenter reads every word: shrink the type until the whole card is on screen.
  function fitPresenter() {
    const card = document.getElementById("onair");
    const text = document.getElementById("onair-text");
    text.style.fontSize = "";
    if (card.hidden) return;
    const limit = window.innerHeight * 0.97;
    let size = parseFloat(getComputedStyle(text).fontSize);
    while (card.getBoundingClientRect().bottom > limit && size > MIN_PRESENTER_PX) {
      size = Math.max(MIN_PRESENTER_PX, size - 2);
      text.style.fontSize = `${size}px`;
    }
  }

  function renderPoll() {
    const card = document.getElementById("poll-card");
    if (!card) return;
    let poll = polls.current();
    if (pollView && poll && (poll.kind === "cloud") !== (root.dataset.view === "cloud")) poll = null;
    // The program views show nothing until the results may be seen; the presenter sees
    // the question and that its results are hidden.
    const visible = !!(poll && poll.results_visible && poll.counts);
    card.hidden = !poll || (pollView && !visible);
    card.dataset.id = poll ? poll.id : "";
    if (!poll) return;
    document.getElementById("poll-question").textContent = poll.question;
    const bars = document.getElementById("poll-bars");
    const cloud = document.getElementById("poll-cloud");
    bars.hidden = !visible || poll.kind === "cloud";
    cloud.hidden = !visible || poll.kind !== "cloud";
    if (visible && poll.kind === "cloud") renderCloud(cloud, poll);
    else if (visible) renderBars(bars, poll);
    document.getElementById("poll-total").textContent =
      visible ? `${total(poll)} ${root.dataset.tAnswers}` : card.dataset.tHidden;
  }

  function presenterMessage(m) {
    if (m.type === "presenter") {
      timer = timerState(m.timer);
      showBackstage(m.messages[m.messages.length - 1]);
    } else if (m.type === "timer") {
      timer = timerState(m.timer);
    } else if (m.type === "backstage") {
      showBackstage(m.message);
    } else {
      return;
    }
    tick();
  }

  function showBackstage(message) {
    const box = document.getElementById("backstage");
    box.hidden = !message;
    if (!message) return;
    document.getElementById("backstage-text").textContent = message.text;
    box.dataset.id = message.id;
  }

  // The label filter offers the labels in use; the chosen one stays chosen.
  function renderLabels(all) {
    const select = document.getElementById("label-filter");
    const names = new Map();
    for (const q of all) for (const l of q.labels || []) names.set(l.toLowerCase(), l);
    if (label) names.set(label.toLowerCase(), label);
    const wanted = [...names.values()].sort((a, b) => a.localeCompare(b));
    const have = [...select.options].slice(1).map((o) => o.value);
    if (wanted.join("\n") !== have.join("\n")) {
      const options = wanted.map((l) => {
        const o = document.createElement("option");
        o.value = l;
        o.dir = "auto";
        o.textContent = l;
        return o;
      });
      select.replaceChildren(select.options[0], ...options);
    }
    select.value = label;
  }

  function render() {
    if (threadView) { renderThread(); return; }
    renderPoll();
    if (pollView) {
      document.getElementById("onair").hidden = true;
      document.getElementById("idle").hidden = true;
      return;
    }
    const all = [...questions.values()];
    const onair = all.find((q) => q.status === "on_air");
    const card = document.getElementById("onair");
    const idle = document.getElementById("idle");
    if (onair) {
      const onairText = document.getElementById("onair-text");
      onairText.textContent = onair.text;
      // Its language, when known: a screen reader (and hyphenation) follows it.
      if (onair.lang) onairText.lang = onair.lang; else onairText.removeAttribute("lang");
      document.getElementById("onair-author").textContent = onair.author || root.dataset.tAnonymous;
      const source = document.getElementById("onair-source");
      source.textContent = onair.source === "x" ? root.dataset.tViaX : root.dataset.tViaWeb;
      source.className = `source source-${onair.source}`;
      card.dataset.id = onair.id;
    }
    card.hidden = !onair;
    idle.hidden = !!onair;
    if (presenter) {
      renderLabels(all);
      const wanted = label.toLowerCase();
      const next = all.filter((q) => q.status === "approved")
        .filter((q) => !wanted || (q.labels || []).some((l) => l.toLowerCase() === wanted))
        .sort((a, b) => (b.starred - a.starred) || (b.votes - a.votes) || (a.id - b.id))
        .slice(0, 3)
        .map((q) => {
          const li = document.createElement("li");
          li.dir = "auto";  // an Arabic question's item reads right to left, number and all
          const text = document.createElement("span");
          text.dir = "auto";
          if (q.lang) text.lang = q.lang;
          text.textContent = q.text;
          const who = document.createElement("span");
          who.className = "who";
          const author = document.createElement("bdi");
          author.dir = "auto";
          author.textContent = q.author || root.dataset.tAnonymous;
          who.append(" — ", author, q.votes ? ` · ▲ ${q.votes}` : "");
          li.append(text, who);
          return li;
        });
      document.getElementById("next").replaceChildren(...next);
      fitPresenter();
    }
  }

  function tick() {
    const clock = document.getElementById("clock");
    if (clock) clock.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const box = document.getElementById("timer");
    if (!box) return;
    box.hidden = !(timer && timer.duration);
    if (box.hidden) return;
    const left = secondsLeft(timer);
    document.getElementById("timer-left").textContent = clockText(left);
    box.dataset.state = left <= 0 ? "over" : left <= 60 ? "last-minute" : timer.running ? "running" : "paused";
  }

  if (presenter) {
    document.getElementById("label-filter").addEventListener("change", (ev) => {
      label = ev.target.value;
      try { localStorage.setItem(`liveq-presenter-label-${slug}`, label); } catch (e) { /* private mode */ }
      render();
    });
    tick();
    setInterval(tick, 1000);
    window.addEventListener("resize", fitPresenter);
  }
  render();
  live(slug, { key, view: presenter ? "presenter" : null, onMessage: handle, onStatus: status, maxDelayMs: 5000 });
}
