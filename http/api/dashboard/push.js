// Web Push sign-up: a service worker (sw.js) and a subscription with the server's VAPID
// key, registered with POST /v1/push/subscriptions. The server pushes when a check-in
// of a room this person approves in starts waiting; the notification opens it.
import {api} from "./api.js";
import {$, notice} from "./dom.js";
import {showError} from "./session.js";

const b64uToBytes = (s) => Uint8Array.from(
    atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4)),
    (c) => c.charCodeAt(0));

function supported() {
  return "serviceWorker" in navigator && "PushManager" in window;
}

// The service worker, once active (its scope is /dashboard/, not the page's /, so
// `navigator.serviceWorker.ready` would never resolve here).
async function registration() {
  const reg = await navigator.serviceWorker.register("/dashboard/sw.js");
  const worker = reg.installing || reg.waiting;
  if (!reg.active && worker)
    await new Promise((resolve) => worker.addEventListener("statechange", () => {
      if (worker.state === "activated") resolve();
    }));
  return reg;
}

function showState(subscribed, why) {
  const b = $("push");
  b.setAttribute("aria-pressed", String(subscribed));
  b.textContent = subscribed ? "Push: on" : "Push: off";
  b.title = why ||
      (subscribed ? "This browser gets a notification when a decision is needed" :
                    "Get a notification when a decision is needed, even with the page closed");
}

// Shows whether this browser is signed up; without server keys or browser support the
// button says why and stays disabled.
export async function initPush() {
  const b = $("push");
  if (!supported()) {
    b.disabled = true;
    return showState(false, "This browser has no Web Push");
  }
  try {
    await api("GET", "/v1/push/vapid-public-key");
  } catch (e) {
    b.disabled = true;
    return showState(
        false, e.status === 503 ? "Web Push is not configured on this server" : e.message);
  }
  b.disabled = false;
  const reg = await navigator.serviceWorker.getRegistration("/dashboard/");
  const sub = reg && (await reg.pushManager.getSubscription());
  showState(!!sub);
}

async function subscribe() {
  if ((await Notification.requestPermission()) !== "granted")
    return notice("Notifications are blocked for this page in the browser's settings.");
  const key = (await api("GET", "/v1/push/vapid-public-key")).data.public_key;
  const reg = await registration();
  const sub = await reg.pushManager.subscribe(
      {userVisibleOnly: true, applicationServerKey: b64uToBytes(key)});
  const json = sub.toJSON();
  await api("POST", "/v1/push/subscriptions", {endpoint: json.endpoint, keys: json.keys});
  showState(true);
  notice("This browser will be notified when a decision is needed");
}

async function unsubscribe() {
  const reg = await navigator.serviceWorker.getRegistration("/dashboard/");
  const sub = reg && (await reg.pushManager.getSubscription());
  if (sub) {
    await api("DELETE", "/v1/push/subscriptions", {endpoint: sub.endpoint});
    await sub.unsubscribe();
  }
  showState(false);
  notice("No more push notifications in this browser");
}

export function wirePush() {
  $("push").addEventListener("click", () => {
    const on = $("push").getAttribute("aria-pressed") === "true";
    (on ? unsubscribe() : subscribe()).catch(showError);
  });
}
