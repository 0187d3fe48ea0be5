// The presenter's session timer, counted down here from the server's state
// (liveq/domain/presenter.py): nothing ticks on the server, so a reload loses nothing.

// A timer message's state, with this browser's clock offset from the server's.
export function timerState(timer) {
  return { ...timer, offset: timer.server_now - Date.now() / 1000 };
}

// Seconds left now (negative once it has run out).
export function secondsLeft(state) {
  if (!state || !state.running) return state ? state.remaining : 0;
  const serverNow = Date.now() / 1000 + state.offset;
  return state.remaining - (serverNow - state.started_at);
}

// 605 -> "10:05"; -65 -> "-1:05" (over time); an hour or more -> "1:00:05".
export function clockText(seconds) {
  const sign = seconds < 0 ? "-" : "";
  // Counting down: show 0:01 until the last second is over.
  let s = Math.abs(seconds < 0 ? Math.floor(seconds) : Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  const rest = String(s - m * 60).padStart(2, "0");
  return h ? `${sign}${h}:${String(m).padStart(2, "0")}:${rest}` : `${sign}${m}:${rest}`;
}
