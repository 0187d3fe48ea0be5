// The "Live thread on X" panel (console and procedure page): every outbox item, its
// state and link, and a moderator's hand on failed or held posts. Text goes in with textContent.
import { api } from "./api.js";
import { el, notice } from "./dom.js";

// Fill #thread-panel; returns the handler the page passes each websocket message.
export function threadPanel(slug) {
  const panel = document.getElementById("thread-panel");
  if (!panel) return () => {};
  const items = new Map();
  const STATE_LABEL = {
    queued: "queued", posting: "posting…", posted: "posted", held: "held by screening",
    failed: "failed", skipped: "skipped",
  };

  function render() {
    panel.hidden = items.size === 0;
    const list = [...items.values()].sort((a, b) => a.seq - b.seq);
    document.getElementById("thread").replaceChildren(...list.map(row));
    const modeNotice = [...list].reverse().find((i) => i.mode && i.mode !== "reply");
    const box = document.getElementById("thread-notice");
    box.hidden = !modeNotice;
    if (modeNotice) {
      box.textContent = modeNotice.mode === "quote"
        ? "X refused replies from this account, so the thread continues as quote posts."
        : "X refused replies and quote posts, so posts go out numbered, one by one.";
    }
  }

  function row(item) {
    const li = el("li", `post post-${item.state}`);
    li.dataset.id = item.id;
    li.dataset.state = item.state;
    const head = el("p", "meta");
    head.append(el("span", "seq", `${item.seq}.`), el("span", `badge state-${item.state}`, STATE_LABEL[item.state] || item.state));
    if (item.mode && item.mode !== "reply") head.append(el("span", "mode", item.mode));
    if (item.url) {
      const a = el("a", "post-link", "view on X");
      a.href = item.url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      head.append(a);
    }
    li.append(head, el("p", "post-text", item.text));
    if (item.error) li.append(el("p", "post-error small", item.error));
    for (const f of item.findings || []) li.append(el("p", "finding small", `${f.kind}: ${f.reason}`));
    const actions = el("div", "actions");
    const add = (action, label) => {
      const b = el("button", `act act-${action}`, label);
      b.type = "button";
      b.dataset.action = action;
      b.addEventListener("click", () => act(item, action));
      actions.append(b);
    };
    if (item.state === "failed") add("retry", "Retry");
    if (item.state === "held") add("override", "Post anyway…");
    if (["queued", "held", "failed"].includes(item.state)) { add("edit", "Edit…"); add("skip", "Skip"); }
    if (actions.childElementCount) li.append(actions);
    return li;
  }

  async function act(item, action) {
    const body = {};
    if (action === "edit") {
      const text = window.prompt("Edit the post", item.text);
      if (text === null) return;
      body.text = text;
    } else if (action === "override") {
      const reason = window.prompt("Why is it safe to post? (kept in the audit trail)", "");
      if (!reason) return;
      body.reason = reason;
    }
    try {
      const data = await api("POST", `/api/v1/events/${encodeURIComponent(slug)}/outbox/${item.id}/${action}`, body);
      items.set(data.item.id, data.item);
      render();
    } catch (err) {
      notice(err.message, "error");
    }
  }

  return function handle(msg) {
    if (msg.type === "outbox_snapshot") {
      items.clear();
      for (const item of msg.items) items.set(item.id, item);
    } else if (msg.type === "outbox") {
      items.set(msg.item.id, msg.item);
    } else {
      return;
    }
    render();
  };
}
