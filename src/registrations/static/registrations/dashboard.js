// The dashboard's live figures: every 15 seconds while the page is shown, fetch the figures
// again (same address as the page's, one fragment of HTML from our own server) and swap them
// in. The status line (aria-live) says so only when a figure changed, not at each refresh.
const EVERY_MS = 15000;

const container = document.getElementById("dashboard-figures");
const status = document.getElementById("dashboard-status");

function summaryOf(root) {
  const figures = root.querySelector("[data-summary]");
  return figures ? figures.dataset.summary : "";
}

async function refresh() {
  if (document.visibilityState !== "visible") return;
  let response;
  try {
    response = await fetch(container.dataset.refreshUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html" },
    });
  } catch {
    return; // Offline for a moment: the next round tries again.
  }
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const figures = fresh.querySelector("[data-summary]");
  if (!figures) return;
  const before = summaryOf(container);
  // A details element the reader opened stays open.
  const open = [...container.querySelectorAll("details")].map((details) => details.open);
  container.replaceChildren(document.adoptNode(figures));
  container.querySelectorAll("details").forEach((details, index) => {
    if (open[index]) details.open = true;
  });
  const after = summaryOf(container);
  if (after !== before) status.textContent = after;
}

if (container && status) {
  setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
}
