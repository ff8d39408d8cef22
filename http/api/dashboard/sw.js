// The dashboard's service worker: shows a Web Push notification from the server
// (http/outbound/push_worker.cpp writes {title, body, check_in_id, url, ...}) and opens
// the check-in when it is clicked.
self.addEventListener("push", (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch {
    p = {title: "Waitroom", body: event.data ? event.data.text() : ""};
  }
  event.waitUntil(self.registration.showNotification(p.title || "Waitroom", {
    body: p.body || "",
    tag: p.check_in_id || undefined,
    data: {url: p.url || "/"},
    requireInteraction: p.risk_level === "high" || p.risk_level === "critical"
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url =
      new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin)
          .href;
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({type: "window", includeUncontrolled: true});
    const open = pages.find((c) => new URL(c.url).pathname === "/");
    if (!open) return self.clients.openWindow(url);
    open.postMessage({open: url});  // the page opens the check-in (main.js)
    return open.focus();
  })());
});
