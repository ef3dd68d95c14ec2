// The check-in app's service worker, served at /controle/sw.js (scope /controle/).
//
// Network first, for pages and assets alike, so that a deployment shows at once; when the
// network fails, or has not answered within a few seconds (a venue's Wi-Fi that hangs rather
// than fails), the copy the page put in Cache Storage (shell.js) answers instead. It keeps
// nothing itself and never touches the API: the page decides what to do when the API is out of
// reach (its own offline verdicts and queue), and a cached API answer would be stale data.

const CACHE_NAME = "ptce-checkin-shell";
const NETWORK_TIMEOUT_MS = 3000;

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  event.respondWith(networkFirst(request));
});

function fromCache(request) {
  return caches
    .open(CACHE_NAME)
    .then((cache) => cache.match(request, { ignoreVary: true }))
    .catch(() => undefined);
}

function networkFirst(request) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const answer = (response) => {
      answered = true;
      resolve(response);
    };
    const timer = setTimeout(async () => {
      const cached = await fromCache(request);
      if (cached && !answered) {
        answer(cached);
      }
    }, NETWORK_TIMEOUT_MS);
    fetch(request).then(
      (response) => {
        clearTimeout(timer);
        if (!answered) {
          answer(response);
        }
      },
      async (error) => {
        clearTimeout(timer);
        if (answered) {
          return;
        }
        const cached = await fromCache(request);
        if (cached) {
          answer(cached);
        } else {
          reject(error);
        }
      },
    );
  });
}
