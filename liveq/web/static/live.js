// One live connection to an event, shared by every page and the overlay.
// The server sends a snapshot on connect, then each change (liveq/web/ws.py);
// after any close we reconnect with jittered backoff, and the new snapshot
// resyncs whatever was missed, so nobody has to reload a page or touch OBS.

const FIRST_DELAY_MS = 500;

// Connect to /ws/<slug> (with the overlay's key, if any) and stay connected.
// onMessage gets each parsed message, the snapshot first on every connection;
// onStatus gets "live" or "reconnecting" for the page to show.
// view: "presenter" for the overlay's presenter view (it also gets the timer and the
// backstage messages).
export function live(slug, { key = null, view = null, onMessage, onStatus = () => {}, maxDelayMs = 10000 }) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const params = new URLSearchParams();
  if (key !== null) params.set("key", key);
  if (view !== null) params.set("view", view);
  const query = params.size ? `?${params}` : "";
  const url = `${proto}//${location.host}/ws/${encodeURIComponent(slug)}${query}`;
  let delay = FIRST_DELAY_MS;

  function open() {
    const ws = new WebSocket(url);
    ws.onopen = () => { delay = FIRST_DELAY_MS; onStatus("live"); };
    ws.onmessage = (msg) => onMessage(JSON.parse(msg.data));
    // Any close: the server going away for a restart (1001), dropping us for
    // falling behind (1013), or the network. The next snapshot puts us right.
    ws.onclose = () => {
      onStatus("reconnecting");
      // Jitter spreads out the many phones and screens reconnecting after a restart.
      setTimeout(open, delay * (0.5 + Math.random() / 2));
      delay = Math.min(delay * 2, maxDelayMs);
    };
  }
  open();
}

// Questions by id, where the newest version wins: a change can arrive after a
// snapshot that already holds it, or after an action's answer brought a newer one.
export class Questions extends Map {
  // Keep q unless we already hold a newer version of it.
  put(q) {
    const old = this.get(q.id);
    if (!old || old.version <= q.version) this.set(q.id, q);
  }

  // New vote counts ({id: n}); they arrive coalesced, apart from the questions.
  count(counts) {
    for (const [id, votes] of Object.entries(counts)) {
      const q = this.get(Number(id));
      if (q && q.votes !== votes) this.set(q.id, { ...q, votes });
    }
  }

  // Apply a websocket message (snapshot, question, question_removed, votes); true if
  // it was one.
  apply(msg) {
    if (msg.type === "snapshot") {
      this.clear();
      for (const q of msg.questions) this.set(q.id, q);
    } else if (msg.type === "question") {
      this.put(msg.question);
    } else if (msg.type === "question_removed") {
      this.delete(msg.id);
    } else if (msg.type === "votes") {
      this.count(msg.counts);
    } else {
      return false;
    }
    return true;
  }
}
