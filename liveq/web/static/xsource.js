// The console's "Questions from X" panel: the event's hashtag source, reads used
// against the budget, estimated spend, status, last error, pause/resume.
// Everything goes into the page with textContent.
import { api } from "./api.js";
import { el, notice } from "./dom.js";

// Fill #x-source; returns the handler the console passes each websocket message.
export function xSourcePanel(slug) {
  const panel = document.getElementById("x-source");
  if (!panel) return () => {};
  const base = `/api/v1/events/${encodeURIComponent(slug)}/x-source`;
  let current = null;
  let busy = false;

  // Built once, as two short lines; render() only changes text and attributes.
  const line = el("p", "x-source-line");
  const state = el("span", "badge");
  state.id = "x-source-state";
  const hashtag = el("span", "x-source-hashtag");
  hashtag.id = "x-source-hashtag";
  const reads = el("span");
  reads.id = "x-source-reads";
  const meter = el("progress");
  meter.id = "x-source-meter";
  const spend = el("span");
  spend.id = "x-source-spend";
  // Named for what it does: the procedure page has a "Pause thread" of its own.
  const toggle = el("button", "link", "Pause hashtag reading");
  toggle.type = "button";
  toggle.id = "x-source-toggle";
  line.append(
    el("strong", "", "Questions from X"), " ", hashtag, " ", state, " · ",
    reads, " reads ", meter, " · ", spend, " · ", toggle,
  );
  const status = el("p", "small muted");
  status.id = "x-source-status";
  const lastError = el("p", "small error");
  lastError.id = "x-source-error";
  lastError.hidden = true;
  panel.append(line, status, lastError);

  const money = (usd) => `$${usd.toFixed(usd < 10 ? 3 : 2)}`;
  const clock = (ts) => new Date(ts * 1000).toLocaleTimeString();

  function render(src) {
    current = src;
    panel.hidden = false;
    const link = el("a", "", src.hashtag ? `#${src.hashtag}` : "no hashtag");
    if (src.hashtag) {
      link.href = `https://x.com/search?q=${encodeURIComponent("#" + src.hashtag)}&f=live`;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
    hashtag.replaceChildren(link);
    reads.textContent = `${src.reads_used.toLocaleString()} / ${src.read_budget.toLocaleString()}`;
    meter.max = Math.max(1, src.read_budget);
    meter.value = Math.min(src.reads_used, src.read_budget);
    meter.title = `${src.reads_used} of ${src.read_budget} reads used`;
    spend.textContent = `${money(src.spend_usd)} spent`;
    spend.title = `estimated, at ${money(src.cost_per_read_usd)} a post read`;
    let text = src.status;
    if (src.last_poll_at) text += ` Last poll ${clock(src.last_poll_at)}.`;
    if (src.next_poll_at) text += ` Next poll ${clock(src.next_poll_at)}.`;
    status.textContent = text;
    // While waiting, the status already says what went wrong.
    lastError.textContent = src.last_error ? `Last error: ${src.last_error}` : "";
    lastError.hidden = !src.last_error || src.status === src.last_error;
    let label = "polling";
    let kind = "ok";
    if (src.paused) { label = "paused"; kind = "warn"; }
    else if (src.state === "budget") { label = "budget reached"; kind = "warn"; }
    else if (src.state === "stopped") { label = "stopped"; kind = "warn"; }
    else if (src.state === "rate_limited" || src.state === "backoff") { label = "waiting"; kind = "warn"; }
    else if (!src.polling) { label = "not polling"; kind = ""; }
    state.textContent = label;
    state.className = `badge ${kind}`;
    toggle.textContent = src.paused ? "Resume hashtag reading" : "Pause hashtag reading";
    toggle.title = src.paused
      ? `Start reading #${src.hashtag} on X again`
      : `Stop reading #${src.hashtag} on X (questions already in stay; nothing is posted)`;
    toggle.disabled = busy || !src.hashtag;
  }

  async function load() {
    try {
      const data = await api("GET", base);
      if (!data.enabled || !data.source) { panel.hidden = true; return; }
      render(data.source);
    } catch (err) {
      notice(`X source: ${err.message}`, "error");
    }
  }

  toggle.addEventListener("click", async () => {
    if (!current || busy) return;
    busy = true;
    toggle.disabled = true;
    try {
      const data = await api("POST", `${base}/${current.paused ? "resume" : "pause"}`);
      render(data.source);
    } catch (err) {
      notice(err.message, "error");
    } finally {
      busy = false;
      if (current) render(current);
    }
  });

  load();
  return function handle(msg) {
    if (msg.type === "x_source") render(msg.source);
    // A (re)connect: the socket may have missed updates while it was down.
    else if (msg.type === "snapshot") load();
  };
}
