// The set-up page (/admin): events, people and API tokens, through the JSON API.
// Everything anyone typed goes in with textContent (dom.js); titles and names get dir="auto".
import { api } from "./api.js";
import { el, userText, notice } from "./dom.js";

const root = document.getElementById("admin");
const me = root.dataset.user;
const $ = (id) => document.getElementById(id);
let events = [];

function when(seconds) {
  return new Date(seconds * 1000).toLocaleString();
}

// A datetime-local input's value (the browser's own time zone) as epoch seconds; null if empty.
function seconds(input) {
  return input.value ? Math.round(new Date(input.value).getTime() / 1000) : null;
}

// Epoch seconds as a datetime-local value in the browser's time zone ("" for none).
function localInput(secs) {
  if (secs === null || secs === undefined) return "";
  const d = new Date(secs * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// Copy the text of a read-only input; where the clipboard is refused, select it instead
// so Ctrl+C does it. Returns what happened, for the notice.
async function copyFrom(input, what) {
  try {
    await navigator.clipboard.writeText(input.value);
    notice(`${what} copied.`);
  } catch (err) {
    input.focus();
    input.select();
    notice(`${what} is selected: press Ctrl+C (or ⌘C) to copy it.`);
  }
}

function button(text, onClick, cls) {
  const b = el("button", cls || "secondary", text);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

// A button that asks once more in place (no pop-up dialog): "Archive" → "Yes, archive" / "Keep".
function confirmButton(text, question, yes, onYes) {
  const wrap = el("span", "confirm");
  const first = button(text, () => {
    first.hidden = true;
    ask.hidden = false;
    ask.querySelector("button").focus();
  });
  const ask = el("span", "confirm-ask");
  ask.hidden = true;
  ask.append(el("span", "", question), " ",
    button(yes, onYes, "danger"),
    button("Keep", () => { ask.hidden = true; first.hidden = false; first.focus(); }));
  wrap.append(first, ask);
  return wrap;
}

function overlayUrl(e) {
  return e.overlay_url;
}

// -- events -----------------------------------------------------------------------------

function eventItem(e) {
  const li = el("li", "admin-item");
  li.dataset.slug = e.slug;
  const head = el("p", "item-head");
  head.append(userText("strong", "", e.title), " ", el("span", "muted small", `/e/${e.slug} · ${e.kind}`));
  const details = [
    e.hashtag ? `#${e.hashtag}` : "no hashtag",
    e.moderation === "pre" ? "approve before showing" : "show at once",
    e.networks.length ? `posts to ${e.networks.join(", ")}` : "posts to every network configured",
    e.language ? `audience pages in ${e.language}` : "audience pages in each browser's language",
  ];
  if (e.brand_colour) details.push(`brand colour ${e.brand_colour}`);
  if (e.logo) details.push("has a logo");
  if (e.opens_at) details.push(`questions open ${when(e.opens_at)}`);
  if (e.closes_at) details.push(`questions close ${when(e.closes_at)}`);
  const meta = el("p", "meta", details.join(" · "));
  meta.dir = "auto";
  li.append(head, meta);
  if (e.archived) {
    li.append(el("p", "muted small", "Archived: takes no questions."));
    return li;
  }
  const id = `overlay-${e.slug}`;
  const label = el("label", "", "Overlay URL (paste into OBS as a browser source)");
  label.htmlFor = id;
  const input = el("input", "overlay-url");
  input.id = id;
  input.readOnly = true;
  input.spellcheck = false;
  input.value = overlayUrl(e);
  input.dir = "ltr";
  const row = el("div", "copy-row");
  row.append(input,
    button("Copy overlay URL", () => copyFrom(input, `The overlay URL of ${e.title}`), "copy-overlay"),
    confirmButton("New overlay key", "The old overlay URL stops working at once.", "Yes, new key",
      () => rotate(e)));
  const logoId = `logo-${e.slug}`;
  const logoLabel = el("label", "", e.logo ? "Logo of the audience page (replace it)" : "Logo of the audience page (PNG, JPEG, GIF or WebP; optional)");
  logoLabel.htmlFor = logoId;
  const file = el("input", "logo-file");
  file.type = "file";
  file.id = logoId;
  file.accept = "image/png,image/jpeg,image/gif,image/webp";
  const logoRow = el("div", "copy-row");
  logoRow.append(file, button("Upload logo", () => uploadLogo(e, file), "upload-logo"));
  if (e.logo) logoRow.append(button("Remove logo", () => removeLogo(e), "danger"));
  const links = el("p", "links");
  for (const [text, href] of [["Console", `/mod/${e.slug}`], ["Audience page", `/e/${e.slug}`]]) {
    const a = el("a", "", text);
    a.href = href;
    links.append(a);
  }
  const actions = el("p", "actions");
  actions.append(
    button("Edit", () => editEvent(e)),
    button("Duplicate", () => duplicateEvent(e)),
    confirmButton("Archive", `Archive ${e.title}? It leaves the lists and takes no more questions.`,
      "Yes, archive", () => archive(e)));
  li.append(label, row, logoLabel, logoRow, links, actions);
  return li;
}

async function loadEvents() {
  const data = await api("GET", "/api/v1/setup/events");
  events = data.events;
  const withKeys = events;
  const live = withKeys.filter((e) => !e.archived);
  const archived = withKeys.filter((e) => e.archived);
  $("event-list").replaceChildren(...live.map(eventItem));
  $("events-empty").hidden = live.length > 0;
  $("archived-list").replaceChildren(...archived.map(eventItem));
  $("archived-box").hidden = archived.length === 0;
  const choice = $("token-event");
  const chosen = choice.value;
  choice.replaceChildren(el("option", "", "All events"));
  choice.firstChild.value = "";
  for (const e of live) {
    const opt = el("option", "", `${e.title} (${e.slug})`);
    opt.value = e.slug;
    choice.append(opt);
  }
  choice.value = chosen;
}

function setMode(mode, source) {
  $("event-mode").value = mode;
  $("event-source").value = source ? source.slug : "";
  const title = { create: "New event", edit: `Edit ${source && source.title}`, duplicate: `Duplicate ${source && source.title}` }[mode];
  $("event-form-title").textContent = title;
  $("event-form-title").dir = "auto";
  $("event-submit").textContent = { create: "Create event", edit: "Save changes", duplicate: "Create the copy" }[mode];
  $("event-cancel").hidden = mode === "create";
  $("event-slug").readOnly = mode === "edit";
  // A copy takes the settings of its template; the kind is fixed once an event exists.
  $("event-settings").hidden = mode === "duplicate";
  $("event-schedule").hidden = mode === "duplicate";
  $("event-kind").disabled = mode === "edit";
}

function fillForm(e) {
  $("event-title").value = e.title;
  $("event-kind").value = e.kind;
  $("event-hashtag").value = e.hashtag;
  $("event-moderation").value = e.moderation;
  $("event-language").value = e.language;
  for (const box of document.querySelectorAll("#event-form input[name=networks]")) {
    box.checked = e.networks.includes(box.value);
  }
  $("event-brand").value = e.brand_colour;
  $("event-opens").value = localInput(e.opens_at);
  $("event-closes").value = localInput(e.closes_at);
}

function editEvent(e) {
  setMode("edit", e);
  fillForm(e);
  $("event-slug").value = e.slug;
  $("event-title").focus();
}

function duplicateEvent(e) {
  setMode("duplicate", e);
  $("event-slug").value = "";
  $("event-title").value = e.title;
  $("event-slug").focus();
}

function resetForm() {
  $("event-form").reset();
  setMode("create");
}

async function saveEvent(ev) {
  ev.preventDefault();
  const mode = $("event-mode").value;
  const slug = $("event-slug").value.trim();
  const title = $("event-title").value;
  const networks = [...document.querySelectorAll("#event-form input[name=networks]:checked")].map((b) => b.value);
  const settings = {
    title, hashtag: $("event-hashtag").value, networks,
    moderation: $("event-moderation").value, language: $("event-language").value,
    opens_at: seconds($("event-opens")), closes_at: seconds($("event-closes")),
    brand_colour: $("event-brand").value,
  };
  try {
    if (mode === "create") {
      await api("POST", "/api/v1/events", { slug, kind: $("event-kind").value, ...settings });
      notice(`Event ${title || slug} created.`);
    } else if (mode === "edit") {
      await api("PATCH", `/api/v1/events/${slug}`, settings);
      notice(`Event ${title} saved.`);
    } else {
      await api("POST", `/api/v1/events/${$("event-source").value}/duplicate`, { slug, title });
      notice(`Event ${title} created from its template.`);
    }
    resetForm();
    await loadEvents();
  } catch (err) {
    notice(err.message, "error");
  }
}

async function rotate(e) {
  try {
    await api("POST", `/api/v1/events/${e.slug}/overlay-key`);
    notice(`${e.title} has a new overlay URL; paste it into OBS again.`);
    await loadEvents();
    $(`overlay-${e.slug}`).focus();
  } catch (err) {
    notice(err.message, "error");
  }
}

async function uploadLogo(e, file) {
  if (!file.files.length) {
    notice("Choose an image file first.", "error");
    return;
  }
  const form = new FormData();
  form.append("photo", file.files[0]);
  try {
    await api("POST", `/api/v1/events/${e.slug}/logo`, form);
    notice(`${e.title} has a new logo (cleaned of its metadata).`);
    await loadEvents();
  } catch (err) {
    notice(err.message, "error");
  }
}

async function removeLogo(e) {
  try {
    await api("DELETE", `/api/v1/events/${e.slug}/logo`);
    notice(`${e.title} has no logo now.`);
    await loadEvents();
  } catch (err) {
    notice(err.message, "error");
  }
}

async function archive(e) {
  try {
    await api("POST", `/api/v1/events/${e.slug}/archive`);
    notice(`${e.title} archived.`);
    await loadEvents();
  } catch (err) {
    notice(err.message, "error");
  }
}

// -- people -------------------------------------------------------------------------------

function showLink(data, what) {
  $("link-about").textContent = `${what} ${data.username}: send them this link. It works once, for ${data.expires_in_hours} hours.`;
  $("link-about").dir = "auto";
  $("link-url").value = data.link;
  $("link-box").hidden = false;
  $("link-url").focus();
  $("link-url").select();
}

function userItem(u) {
  const li = el("li", "admin-item");
  li.dataset.username = u.username;
  const state = u.disabled ? "disabled"
    : u.has_password ? "active"
      : u.link_expires_at ? `invited (link until ${when(u.link_expires_at)})` : "invited (link expired)";
  const head = el("p", "item-head");
  head.append(userText("strong", "", u.username), " ", el("span", "muted small", `${u.role} · ${state}`));
  const actions = el("p", "actions");
  if (!u.disabled) {
    actions.append(button(u.has_password ? "Reset password" : "New invite link", () => reset(u)));
  }
  if (u.username !== me) {
    actions.append(u.disabled
      ? button("Enable", () => setDisabled(u, false))
      : confirmButton("Disable", `Disable ${u.username}? Their sessions end now.`, "Yes, disable",
        () => setDisabled(u, true)));
  }
  li.append(head, actions);
  return li;
}

async function loadUsers() {
  const data = await api("GET", "/api/v1/users");
  $("user-list").replaceChildren(...data.users.map(userItem));
}

async function invite(ev) {
  ev.preventDefault();
  try {
    const data = await api("POST", "/api/v1/users",
      { username: $("invite-username").value, role: $("invite-role").value });
    $("invite-form").reset();
    await loadUsers();
    showLink(data, `Invited`);
  } catch (err) {
    notice(err.message, "error");
  }
}

async function reset(u) {
  try {
    const data = await api("POST", `/api/v1/users/${encodeURIComponent(u.username)}/reset`);
    await loadUsers();
    showLink(data, "A new link for");
  } catch (err) {
    notice(err.message, "error");
  }
}

async function setDisabled(u, disabled) {
  try {
    await api("POST", `/api/v1/users/${encodeURIComponent(u.username)}/${disabled ? "disable" : "enable"}`);
    notice(`${u.username} ${disabled ? "disabled" : "enabled"}.`);
    await loadUsers();
  } catch (err) {
    notice(err.message, "error");
  }
}

// -- API tokens ---------------------------------------------------------------------------

function tokenItem(t) {
  const li = el("li", "admin-item");
  const head = el("p", "item-head");
  head.append(userText("strong", "", t.label || `token ${t.id}`), " ",
    el("span", "muted small", `${t.role} · ${t.event || "all events"} · made ${when(t.created_at)}${t.revoked ? " · revoked" : ""}`));
  li.append(head);
  if (!t.revoked) {
    const actions = el("p", "actions");
    actions.append(confirmButton("Revoke", "Programs using it stop working at once.", "Yes, revoke",
      () => revoke(t)));
    li.append(actions);
  }
  return li;
}

async function loadTokens() {
  const data = await api("GET", "/api/v1/tokens");
  $("token-list").replaceChildren(...data.tokens.map(tokenItem));
}

async function createToken(ev) {
  ev.preventDefault();
  try {
    const data = await api("POST", "/api/v1/tokens", {
      label: $("token-label").value, role: $("token-role").value, event: $("token-event").value,
    });
    $("token-form").reset();
    $("token-value").value = data.token;
    $("token-box").hidden = false;
    $("token-value").focus();
    $("token-value").select();
    await loadTokens();
  } catch (err) {
    notice(err.message, "error");
  }
}

async function revoke(t) {
  try {
    await api("DELETE", `/api/v1/tokens/${t.id}`);
    notice(`Token ${t.label || t.id} revoked.`);
    await loadTokens();
  } catch (err) {
    notice(err.message, "error");
  }
}

$("event-form").addEventListener("submit", saveEvent);
$("event-cancel").addEventListener("click", resetForm);
$("invite-form").addEventListener("submit", invite);
$("token-form").addEventListener("submit", createToken);
$("link-copy").addEventListener("click", () => copyFrom($("link-url"), "The link"));
$("token-copy").addEventListener("click", () => copyFrom($("token-value"), "The token"));
setMode("create");
Promise.all([loadEvents(), loadUsers(), loadTokens()])
  .then(() => { root.dataset.ready = "1"; })
  .catch((err) => notice(err.message, "error"));
