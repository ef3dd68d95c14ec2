// The check-in app's shell: the service worker, and the copy of the page and its assets kept
// in Cache Storage so that the app reloads without network.
//
// The pages are sent "no-store" (they are private), so the browser's HTTP cache keeps nothing:
// the page puts itself and what it loaded in the cache below, and the service worker (sw.js)
// answers from it when the network fails. The pages hold no personal data (that lives in
// IndexedDB, store.js), so neither does this cache. Loaded by every page under /controle/.

export const CACHE_NAME = "ptce-checkin-shell";

function readConfig() {
  const element =
    document.getElementById("checkin-config") ?? document.getElementById("checkin-shell");
  return element ? JSON.parse(element.textContent) : null;
}

/** Register the service worker and keep this page and its assets for offline reloads. */
export async function keepShell(config = readConfig()) {
  if (config === null || !("serviceWorker" in navigator) || !("caches" in window)) {
    return;
  }
  try {
    await navigator.serviceWorker.register(config.serviceWorker, { scope: config.scope });
  } catch {
    // No service worker (a browser setting, or plain http on another host than localhost):
    // the app still works while the page stays open.
    return;
  }
  if (!navigator.onLine) {
    return;
  }
  try {
    await storeShell(config);
  } catch {
    // Offline, or a quota: the previous copy stays.
  }
}

async function storeShell(config) {
  const cache = await caches.open(CACHE_NAME);
  const page = new URL(location.href);
  page.hash = "";
  const response = await fetch(page, { credentials: "same-origin", cache: "no-store" });
  // A redirect means the session ended (the login page): that is not the app to keep.
  if (response.ok && !response.redirected) {
    await cache.put(page.href, response);
  }
  const assets = new Set(config.assets.map((path) => new URL(path, location.origin).href));
  // The modules the page imported (and their own imports) are in its resource timing.
  for (const entry of performance.getEntriesByType("resource")) {
    const url = new URL(entry.name);
    if (url.origin === location.origin && url.pathname.startsWith(config.staticUrl)) {
      url.hash = "";
      assets.add(url.href);
    }
  }
  // Older versions of the assets (other hashed names) stay until the next logout: a few
  // kilobytes, and a page still open may need them.
  await Promise.all(
    [...assets].map(async (asset) => {
      const answer = await fetch(asset, { credentials: "same-origin" });
      if (answer.ok) {
        await cache.put(asset, answer);
      }
    }),
  );
}

/** Delete the kept pages and assets (logging out). */
export async function forgetShell() {
  if ("caches" in window) {
    await caches.delete(CACHE_NAME);
  }
}

if (document.getElementById("checkin-shell")) {
  keepShell();
}
