// Polls as the live connection tells them (snapshot, poll, poll_removed, poll_counts),
// and their results drawn as a bar chart or a word cloud. Shared by the audience page,
// the console and the overlay. Text goes in with textContent; someone's text with dir="auto".

// Polls by id; counts arrive coalesced, apart from the polls (liveq/hub.py).
export class Polls extends Map {
  apply(msg) {
    if (msg.type === "snapshot") {
      this.clear();
      for (const p of msg.polls || []) this.set(p.id, p);
    } else if (msg.type === "poll") {
      const old = this.get(msg.poll.id);
      if (!old || old.version <= msg.poll.version) {
        // A newer count may have come with a poll_counts frame already: keep the larger.
        const counts = { ...(msg.poll.counts || {}) };
        for (const [k, n] of Object.entries((old && old.counts) || {})) {
          if (!(k in counts) || counts[k] < n) counts[k] = n;
        }
        this.set(msg.poll.id, msg.poll.counts || (old && old.counts) ? { ...msg.poll, counts } : msg.poll);
      }
    } else if (msg.type === "poll_removed") {
      this.delete(msg.id);
    } else if (msg.type === "poll_counts") {
      for (const [id, counts] of Object.entries(msg.polls)) {
        const p = this.get(Number(id));
        if (p) this.set(p.id, { ...p, counts: { ...(p.counts || {}), ...counts } });
      }
    } else {
      return false;
    }
    return true;
  }

  // The poll on screen: the open one, else the latest closed one whose results are shown.
  current() {
    const all = [...this.values()].filter((p) => p.status !== "draft");
    const open = all.find((p) => p.status === "open");
    if (open) return open;
    return all.filter((p) => p.results_visible).sort((a, b) => b.id - a.id)[0] || null;
  }
}

// [{key, label, n}] in the poll's own order (a word cloud: most answers first).
export function results(poll) {
  const counts = poll.counts || {};
  if (poll.kind === "choice") return poll.options.map((label, i) => ({ key: String(i), label, n: counts[String(i)] || 0 }));
  if (poll.kind === "rating") {
    return Array.from({ length: poll.scale }, (_, i) => ({ key: String(i + 1), label: String(i + 1), n: counts[String(i + 1)] || 0 }));
  }
  return Object.entries(counts).map(([key, n]) => ({ key, label: key, n }))
    .sort((a, b) => b.n - a.n || a.label.localeCompare(b.label));
}

export function total(poll) {
  return Object.values(poll.counts || {}).reduce((a, b) => a + b, 0);
}

// A bar chart as a list: each item says its option, count and share in words too.
export function renderBars(list, poll) {
  const rows = results(poll);
  const sum = rows.reduce((a, r) => a + r.n, 0);
  list.replaceChildren(...rows.map((r) => {
    const li = document.createElement("li");
    li.dataset.key = r.key;
    const label = document.createElement("bdi");
    label.className = "poll-label";
    label.dir = "auto";
    label.textContent = r.label;
    const share = sum ? Math.round((100 * r.n) / sum) : 0;
    const bar = document.createElement("span");
    bar.className = "poll-bar";
    bar.style.width = `${share}%`;
    const figure = document.createElement("span");
    figure.className = "poll-figure";
    figure.textContent = `${r.n} (${share}%)`;
    li.append(label, bar, figure);
    return li;
  }));
}

// A word cloud: the most frequent answers largest, at most `limit` of them.
export function renderCloud(list, poll, limit = 40) {
  const rows = results(poll).filter((r) => r.n > 0).slice(0, limit);
  const top = rows.length ? rows[0].n : 1;
  list.replaceChildren(...rows.map((r) => {
    const li = document.createElement("li");
    li.dir = "auto";
    li.dataset.n = r.n;
    li.textContent = r.label;
    li.title = String(r.n);
    li.style.fontSize = `${(1 + 2 * (r.n / top)).toFixed(2)}em`;
    return li;
  }));
}
