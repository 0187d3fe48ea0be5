// The console's polls panel: write polls before the event (draft: edit, delete), open
// and close them live, show or hide their results on the overlay; counts as they come.
import { api } from "./api.js";
import { el, notice, userText } from "./dom.js";
import { Polls, renderBars, renderCloud, total } from "./polls.js";

const KIND_NAMES = { choice: "Multiple choice", rating: "Rating", cloud: "Word cloud" };

export function pollsPanel(slug) {
  const panel = document.getElementById("polls-panel");
  if (!panel) return () => {};
  const base = `/api/v1/events/${encodeURIComponent(slug)}/polls`;
  const polls = new Polls();
  const form = document.getElementById("poll-new");
  const list = document.getElementById("poll-list");
  const kind = document.getElementById("poll-kind");
  let editing = null;

  function showFields() {
    document.getElementById("poll-options-row").hidden = kind.value !== "choice";
    document.getElementById("poll-scale-row").hidden = kind.value !== "rating";
  }
  kind.addEventListener("change", showFields);
  showFields();

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      kind: kind.value,
      question: document.getElementById("poll-text").value,
      hide_results: document.getElementById("poll-hide").checked,
    };
    if (body.kind === "choice") {
      body.options = document.getElementById("poll-options").value.split("\n").map((s) => s.trim()).filter(Boolean);
    }
    if (body.kind === "rating") body.scale = Number(document.getElementById("poll-scale").value);
    try {
      const res = editing === null
        ? await api("POST", base, body)
        : await api("PATCH", `${base}/${editing}`, body);
      polls.apply({ type: "poll", poll: res.poll });
      form.reset();
      editing = null;
      document.getElementById("poll-save").textContent = "Save poll";
      showFields();
      render();
    } catch (err) {
      notice(err.message, "error");
    }
  });

  async function act(poll, action) {
    try {
      const res = await api("POST", `${base}/${poll.id}/${action}`, { version: poll.version });
      for (const p of [res.poll, ...res.changed]) polls.apply({ type: "poll", poll: p });
      render();
    } catch (err) {
      notice(err.message, "error");
    }
  }

  async function remove(poll) {
    try {
      await api("DELETE", `${base}/${poll.id}`);
      polls.delete(poll.id);
      render();
    } catch (err) {
      notice(err.message, "error");
    }
  }

  function edit(poll) {
    editing = poll.id;
    kind.value = poll.kind;
    document.getElementById("poll-text").value = poll.question;
    document.getElementById("poll-options").value = poll.options.join("\n");
    document.getElementById("poll-scale").value = poll.scale || 5;
    document.getElementById("poll-hide").checked = !poll.results_visible;
    document.getElementById("poll-save").textContent = `Save poll ${poll.id}`;
    showFields();
    document.getElementById("poll-text").focus();
  }

  function button(text, onClick) {
    const b = el("button", "secondary", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function item(poll) {
    const li = el("li", "poll-item");
    li.dataset.id = poll.id;
    li.dataset.status = poll.status;
    const head = el("p", "");
    head.append(el("strong", "", `${KIND_NAMES[poll.kind]} · ${poll.status}`), " ", userText("span", "", poll.question));
    const actions = el("p", "actions");
    if (poll.status === "draft") actions.append(button("Edit", () => edit(poll)), " ", button("Delete", () => remove(poll)), " ");
    if (poll.status !== "open") actions.append(button(poll.status === "draft" ? "Open" : "Reopen", () => act(poll, "open")), " ");
    else actions.append(button("Close", () => act(poll, "close")), " ");
    actions.append(poll.results_visible
      ? button("Hide results", () => act(poll, "hide"))
      : button("Show results", () => act(poll, "show")));
    const figures = el("p", "small muted",
      `${total(poll)} counted${poll.held ? ` · ${poll.held} held back by screening` : ""}` +
      ` · results ${poll.results_visible ? "shown" : "hidden"} on the overlay`);
    li.append(head, actions, figures);
    if (poll.kind === "cloud") {
      const cloud = el("ul", "poll-cloud");
      renderCloud(cloud, poll);
      li.append(cloud);
    } else {
      const bars = el("ol", "poll-bars");
      renderBars(bars, poll);
      li.append(bars);
    }
    return li;
  }

  function render() {
    list.replaceChildren(...[...polls.values()].sort((a, b) => a.id - b.id).map(item));
  }

  return (msg) => { if (polls.apply(msg)) render(); };
}
