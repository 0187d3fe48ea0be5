// Small DOM helpers the moderator pages share. Text always goes in with textContent.

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Text someone typed (a question, a name, an answer, a post): its direction comes from
// the text itself (dir="auto"), so Arabic or Hebrew reads right to left beside English.
export function userText(tag, cls, text) {
  const node = el(tag, cls, text);
  node.dir = "auto";
  return node;
}

// A label and someone's text in one line ("Original: …"): the text isolated in a <bdi>
// so a right-to-left text neither flips the label nor is flipped by it.
export function labelled(tag, cls, label, text) {
  const node = el(tag, cls, label);
  node.append(userText("bdi", "", text));
  return node;
}

// Show a sentence in the page's #notice (kind "error" for failures). It stays until the
// person dismisses it or the next notice replaces it: a sentence that vanishes after a
// few seconds is lost to anyone who reads slowly or was looking elsewhere (WCAG 2.2.1).
export function notice(text, kind) {
  const n = document.getElementById("notice");
  const body = document.getElementById("notice-text") || n;
  body.textContent = text;
  n.className = `notice ${kind || ""}`;
  n.hidden = false;
  const close = document.getElementById("notice-close");
  if (close && !close.dataset.wired) {
    close.dataset.wired = "1";
    close.addEventListener("click", () => { n.hidden = true; body.textContent = ""; });
  }
}

// Tell a screen reader something that happened elsewhere on the page ("New question: …"),
// through the page's polite live region #announce; nothing shows on screen.
export function announce(text) {
  const region = document.getElementById("announce");
  if (!region) return;
  // Cleared first, so the same sentence twice is read twice.
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

// A list whose rows are kept between renders. Questions, votes and posts arrive several
// times a second at a town hall, and each renders the page again: a row rebuilt between
// the press and the release of the mouse button takes the click with it (the pressed
// button is gone), and one moved loses its focus. So a row is built again only when its
// key (what it shows) changed, and only rows out of place are moved.
// keptRows(build) returns place(list, items, idOf, keyOf), which puts one row per item
// in `list`, in order, and returns the rows.
export function keptRows(build) {
  let kept = new Map();  // id -> {key, node}
  return function place(list, items, idOf, keyOf) {
    const next = new Map();
    const nodes = items.map((item) => {
      const id = idOf(item);
      const key = keyOf(item);
      const old = kept.get(id);
      const node = old && old.key === key ? old.node : build(item);
      next.set(id, { key, node });
      return node;
    });
    kept = next;
    placeChildren(list, nodes);
    return nodes;
  };
}

// A question row's key (keptRows) without its vote count, and with what else the row
// shows: a new count is written into the kept row in place, so votes never rebuild it.
export function keyWithoutVotes(question, ...shown) {
  const { votes, ...rest } = question;
  return JSON.stringify([rest, ...shown]);
}

// Make `nodes` the children of `parent`, in order, moving only those out of place.
export function placeChildren(parent, nodes) {
  nodes.forEach((node, i) => {
    const at = parent.children[i];
    if (at !== node) parent.insertBefore(node, at || null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}

// The moderator pages' connection badge (#conn): "Connected" or "Reconnecting…".
// It names the connection only; an event's own state (a procedure going live)
// has a badge of its own, so "live" never means two things on one page.
// Its words come from the page's data-t-* attributes, in the page's language.
export function showConnection(status) {
  const conn = document.getElementById("conn");
  const up = status === "live";
  const t = conn.dataset;
  conn.textContent = up ? (t.tConnected || "Connected") : (t.tReconnecting || "Reconnecting…");
  conn.title = up
    ? (t.tConnectedTitle || "Changes by others show here as they happen.")
    : (t.tReconnectingTitle || "The connection dropped; reconnecting.");
  conn.className = `badge conn ${up ? "ok" : "warn"}`;
}
