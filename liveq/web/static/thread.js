// The "Live thread on X" panel (console and procedure page): every outbox item, its
// state and link, and a moderator's hand on failed or held posts. Text goes in with textContent.
import { api } from "./api.js";
import { el, keptRows, notice, userText } from "./dom.js";
import { grades, knownGrade, showGrade } from "./reading.js";

// Fill #thread-panel; returns the handler the page passes each websocket message.
export function threadPanel(slug) {
  const panel = document.getElementById("thread-panel");
  if (!panel) return () => {};
  const items = new Map();
  const STATE_LABEL = {
    queued: "queued", posting: "posting…", posted: "posted", held: "held by screening",
    failed: "failed", skipped: "skipped",
  };

  const placeRows = keptRows(row);  // a click on Retry or Skip survives other posts' news

  function render() {
    panel.hidden = items.size === 0;
    const list = [...items.values()].sort((a, b) => a.seq - b.seq);
    placeRows(document.getElementById("thread"), list, (i) => i.id,
      (i) => JSON.stringify([i, knownGrade(i.text) ?? null]));
    // Each post's reading grade, once the server has it (a hint; never holds a post).
    const ungraded = list.map((i) => i.text).filter((t) => knownGrade(t) === undefined);
    if (ungraded.length) grades(slug, ungraded).then(render, () => {});
    const modeNotice = [...list].reverse().find((i) => i.mode && i.mode !== "reply");
    const box = document.getElementById("thread-notice");
    box.hidden = !modeNotice;
    if (modeNotice) {
      box.textContent = modeNotice.mode === "quote"
        ? "X refused replies from this account, so the thread continues as quote posts."
        : "X refused replies and quote posts, so posts go out numbered, one by one.";
    }
  }

  // A scripted post changed after sign-off waits for its approver, not for screening.
  const awaitingSignOff = (item) => item.scripted && !item.signed && item.state === "held";

  function row(item) {
    const li = el("li", `post post-${item.state}`);
    li.dataset.id = item.id;
    li.dataset.state = item.state;
    li.dataset.kind = item.kind;
    const head = el("p", "meta");
    // The number X got ("3/"), the same as on the account; a post not sent has none.
    const seq = el("span", "seq", item.number ? `${item.number}/` : "");
    seq.title = item.number ? `Post ${item.number} of the thread on X` : "Not on X yet";
    const label = awaitingSignOff(item) ? "waiting for sign-off" : (STATE_LABEL[item.state] || item.state);
    head.append(seq, el("span", `badge state-${item.state}`, label));
    if (item.mode && item.mode !== "reply") head.append(el("span", "mode", item.mode));
    if (item.url) {
      const a = el("a", "post-link", "view on X");
      a.href = item.url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      head.append(a);
    }
    const grade = el("span", "grade");
    showGrade(grade, knownGrade(item.text));
    head.append(grade);
    li.append(head, userText("p", "post-text", item.text));
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
    // Only an approver's sign-off releases a changed scripted post: no "anyway".
    if (item.state === "held" && !awaitingSignOff(item)) add("override", "Post anyway…");
    if (["queued", "held", "failed"].includes(item.state)) { add("edit", "Edit…"); add("skip", "Skip"); }
    if (actions.childElementCount) li.append(actions);
    return li;
  }

  async function act(item, action) {
    const body = {};
    if (action === "edit") {
      const ask = item.scripted
        ? "Edit this scripted post. Its sign-off is cleared: it waits here until an approver signs the new text on the procedure page."
        : "Edit the post";
      const text = window.prompt(ask, item.text);
      if (text === null || text === item.text) return;
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
      if (action === "edit" && awaitingSignOff(data.item)) {
        notice("Sent back for sign-off: the post waits in the thread until an approver signs the new text.");
      }
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
