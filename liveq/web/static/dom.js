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

// Show a sentence in the page's #notice for a few seconds (kind "error" for failures).
export function notice(text, kind) {
  const n = document.getElementById("notice");
  n.textContent = text;
  n.className = `notice ${kind || ""}`;
  n.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { n.hidden = true; }, 8000);
}

// The moderator pages' connection badge (#conn): "Connected" or "Reconnecting…".
// It names the connection only; an event's own state (a procedure going live)
// has a badge of its own, so "live" never means two things on one page.
export function showConnection(status) {
  const conn = document.getElementById("conn");
  const up = status === "live";
  conn.textContent = up ? "Connected" : "Reconnecting…";
  conn.title = up ? "Changes by others show here as they happen." : "The connection dropped; reconnecting.";
  conn.className = `badge conn ${up ? "ok" : "warn"}`;
}
