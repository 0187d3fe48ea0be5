// The console's polls panel: write polls before the event (draft: edit, delete), open
// and close them live, show or hide their results on the overlay; counts as they come.
import { api } from "./api.js";
import { el, notice, placeChildren, userText } from "./dom.js";
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
  // Each poll's item, kept while only its counts change, so a count arriving every
  // quarter second never takes the focus off a button; and the held answers loaded.
  const items = new Map();
  const heldLoaded = new Map();

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

  function figuresText(poll) {
    return `${total(poll)} counted${poll.held ? ` · ${poll.held} held back by screening` : ""}` +
      ` · results ${poll.results_visible ? "shown" : "hidden"} on the overlay`;
  }

  function drawChart(chart, poll) {
    if (poll.kind === "cloud") renderCloud(chart, poll);
    else renderBars(chart, poll);
  }

  function showHeld(list, held, poll) {
    list.replaceChildren(...held.map((h) => {
      const entry = el("li", "");
      entry.append(userText("span", "", h.value));
      const kinds = [...new Set(h.findings.map((f) => f.kind))].join(", ");
      entry.append(el("span", "muted", ` (${kinds})`));
      // Counted only with a reason (audited): screening was wrong about this one.
      const release = el("form", "inline release-held");
      const field = `held-${poll.id}-${h.id}`;
      const label = el("label", "", "Why it identifies no one");
      label.htmlFor = field;
      const reason = el("input", "");
      reason.id = field;
      reason.required = true;
      reason.maxLength = 300;
      const count = el("button", "secondary", "Count it");
      count.type = "submit";
      release.append(" ", label, " ", reason, " ", count);
      release.addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          await api("POST", `${base}/${poll.id}/held/${h.id}/release`, { reason: reason.value });
          heldLoaded.set(poll.id, (heldLoaded.get(poll.id) || []).filter((x) => x.id !== h.id));
          notice("Counted in the word cloud.");
        } catch (err) {
          notice(err.message, "error");
        }
      });
      entry.append(release);
      return entry;
    }));
  }

  // The poll's item: rebuilt when the poll changed, else only its figures and chart.
  function item(poll) {
    const kept = items.get(poll.id);
    if (kept && kept.version === poll.version && kept.held === poll.held) {
      kept.figures.textContent = figuresText(poll);
      drawChart(kept.chart, poll);
      return kept.li;
    }
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
    const figures = el("p", "small muted", figuresText(poll));
    li.append(head, actions, figures);
    if (poll.held) {
      // What screening kept out of the cloud, for moderators only, loaded on request.
      const heldList = el("ul", "small held-answers");
      if (heldLoaded.has(poll.id)) showHeld(heldList, heldLoaded.get(poll.id), poll);
      const show = button(`Show the ${poll.held} held back`, async () => {
        try {
          const res = await api("GET", `${base}/${poll.id}/held`);
          heldLoaded.set(poll.id, res.held);
          showHeld(heldList, res.held, poll);
        } catch (err) {
          notice(err.message, "error");
        }
      });
      li.append(show, heldList);
    }
    const chart = el(poll.kind === "cloud" ? "ul" : "ol", poll.kind === "cloud" ? "poll-cloud" : "poll-bars");
    drawChart(chart, poll);
    li.append(chart);
    items.set(poll.id, { version: poll.version, held: poll.held, li, figures, chart });
    return li;
  }

  function render() {
    const shown = [...polls.values()].sort((a, b) => a.id - b.id);
    for (const id of [...items.keys()]) if (!polls.has(id)) items.delete(id);
    const wanted = shown.map(item);
    // Only nodes out of place move: a node put back in place loses its focus.
    placeChildren(list, wanted);
  }

  return (msg) => { if (polls.apply(msg)) render(); };
}
