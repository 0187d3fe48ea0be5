// The "Live thread on Mastodon" (and other networks') panel of the console: each
// network's thread, its posts' states and links, Retry/Skip on a refused post.
// A network's trouble shows on its own thread only. Text goes in with textContent.
import { api } from "./api.js";
import { el, keptRows, notice, placeChildren, userText } from "./dom.js";

export const NETWORK_NAMES = { mastodon: "Mastodon", bluesky: "Bluesky" };
const STATE_LABEL = { queued: "queued", posting: "posting…", posted: "posted", failed: "failed", skipped: "skipped" };

export function networksPanel(slug) {
  const panel = document.getElementById("networks-panel");
  if (!panel) return () => {};
  let networks = [];
  const posts = new Map();

  // Each network's section and rows are kept between renders (keptRows says why): a
  // click on Retry for a refused post survives the other networks' posts going out.
  const sections = new Map();  // network -> {section, state, list, place}
  function section(name) {
    if (sections.has(name)) return sections.get(name);
    const label = NETWORK_NAMES[name] || name;
    const node = el("section", "network-thread");
    node.dataset.network = name;
    const h = el("h2", "", `Live thread on ${label}`);
    h.id = `network-${name}-title`;
    node.setAttribute("aria-labelledby", h.id);
    const state = el("p", "network-state small");
    const list = el("ol", "thread");
    node.append(h, state, list);
    const parts = { section: node, state, list, place: keptRows((p) => row(p, label)) };
    sections.set(name, parts);
    return parts;
  }

  function render() {
    panel.hidden = networks.length === 0;
    // A network taken off the event loses its kept section: added back, it starts afresh.
    for (const name of [...sections.keys()]) if (!networks.includes(name)) sections.delete(name);
    const shown = networks.map((name) => {
      const mine = [...posts.values()].filter((p) => p.network === name).sort((a, b) => a.seq - b.seq);
      const parts = section(name);
      const failed = mine.find((p) => p.state === "failed");
      parts.state.textContent = failed ? `Held: post ${failed.seq} was refused; the other networks go on.`
        : `${mine.filter((p) => p.state === "posted").length} of ${mine.length} posted`;
      parts.place(parts.list, mine, (p) => p.id, (p) => JSON.stringify(p));
      return parts.section;
    });
    placeChildren(document.getElementById("network-threads"), shown);
  }

  function row(post, label) {
    const li = el("li", `post post-${post.state}`);
    li.dataset.id = post.id;
    li.dataset.state = post.state;
    const head = el("p", "meta");
    head.append(el("span", "seq", `${post.seq}`), el("span", `badge state-${post.state}`, STATE_LABEL[post.state] || post.state));
    if (post.url) {
      const a = el("a", "post-link", `view on ${label}`);
      a.href = post.url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      head.append(a);
    }
    li.append(head, userText("p", "post-text", post.text));
    if (post.error) li.append(el("p", "post-error small", post.error));
    const actions = el("div", "actions");
    const add = (action, text) => {
      const b = el("button", `act act-${action}`, text);
      b.type = "button";
      b.addEventListener("click", () => act(post, action));
      actions.append(b);
    };
    if (post.state === "failed") add("retry", "Retry");
    if (["queued", "failed"].includes(post.state)) add("skip", "Skip");
    if (actions.childElementCount) li.append(actions);
    return li;
  }

  async function act(post, action) {
    try {
      const url = `/api/v1/events/${encodeURIComponent(slug)}/networks/${post.network}/${post.id}/${action}`;
      const data = await api("POST", url, {});
      posts.set(data.post.id, data.post);
      render();
    } catch (err) {
      notice(err.message, "error");
    }
  }

  return function handle(msg) {
    if (msg.type === "network_snapshot") {
      networks = msg.networks;
      posts.clear();
      for (const p of msg.posts) posts.set(p.id, p);
    } else if (msg.type === "network_post") {
      posts.set(msg.post.id, msg.post);
    } else {
      return;
    }
    render();
  };
}
