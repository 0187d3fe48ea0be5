// A broken overlay link looks again every few seconds: once it works, the reload is the
// real overlay. A script rather than <meta http-equiv="refresh">, so that the reload
// waits while someone is reading the notice (hovering it or focused in it, WCAG 2.2.1).
const area = document.getElementById("locked");
const seconds = Number(area.dataset.retry) || 10;
const notice = area.querySelector(".locked-notice");

function retry() {
  if (notice.matches(":hover") || area.contains(document.activeElement)) {
    setTimeout(retry, 1000);
    return;
  }
  location.reload();
}
setTimeout(retry, seconds * 1000);
