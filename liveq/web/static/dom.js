// Small DOM helpers the moderator pages share. Text always goes in with textContent.

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
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

// The moderator pages' connection badge (#conn): "live" or "reconnecting…".
export function showConnection(status) {
  const conn = document.getElementById("conn");
  conn.textContent = status === "live" ? "live" : "reconnecting…";
  conn.className = `badge ${status === "live" ? "ok" : "warn"}`;
}
