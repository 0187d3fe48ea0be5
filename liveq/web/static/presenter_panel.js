// The console's presenter panel: the session timer (set, start, pause, reset) and
// backstage messages, which only the presenter view shows. Handed every message.
import { api } from "./api.js";
import { announce, notice } from "./dom.js";
import { clockText, secondsLeft, timerState } from "./timer.js";

export function presenterPanel(slug) {
  const base = `/api/v1/events/${encodeURIComponent(slug)}/presenter`;
  const shown = document.getElementById("timer-shown");
  const last = document.getElementById("backstage-last");
  let timer = null;

  function showTimer() {
    shown.textContent = timer && timer.duration ? clockText(secondsLeft(timer)) : "--:--";
    shown.dataset.running = timer && timer.running ? "1" : "0";
  }
  setInterval(showTimer, 250);

  function showMessage(m) {
    last.hidden = !m;
    if (!m) return;
    last.textContent = "Last message to the presenter: ";
    const text = document.createElement("bdi");
    text.dir = "auto";
    text.textContent = m.text;
    last.append(text, ` (${m.by})`);
  }

  async function timerAction(action, extra = {}) {
    try {
      const data = await api("PUT", `${base}/timer`, { action, ...extra });
      timer = timerState(data.timer);
      showTimer();
      announce(`Timer: ${action}.`);
    } catch (err) {
      notice(err.message, "error");
    }
  }
  document.getElementById("timer-set").addEventListener("click", () => {
    const minutes = Number(document.getElementById("timer-minutes").value);
    timerAction("set", { seconds: Math.round(minutes * 60) });
  });
  for (const action of ["start", "pause", "reset"]) {
    document.getElementById(`timer-${action}`).addEventListener("click", () => timerAction(action));
  }

  async function send(text) {
    try {
      const data = await api("POST", `${base}/messages`, { text });
      showMessage(data.message);
      announce("Message sent to the presenter.");
      return true;
    } catch (err) {
      notice(err.message, "error");
      return false;
    }
  }
  const input = document.getElementById("backstage-text");
  document.getElementById("backstage-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (await send(input.value)) input.value = "";
  });
  for (const b of document.querySelectorAll(".backstage-quick")) {
    b.addEventListener("click", () => send(b.textContent));
  }

  return function handle(msg) {
    if (msg.type === "presenter") {
      timer = timerState(msg.timer);
      showMessage(msg.messages[msg.messages.length - 1]);
    } else if (msg.type === "timer") {
      timer = timerState(msg.timer);
    } else if (msg.type === "backstage") {
      showMessage(msg.message);
    } else {
      return;
    }
    showTimer();
  };
}
