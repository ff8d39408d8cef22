// The Waitroom dashboard: plain JavaScript modules over the v1 API, with the person's
// token. Start here: sign-in (session.js), the room and its views (rooms.js, one
// module per view), a check-in (detail.js), live events (live.js).
import {initAgents} from "./agents.js";
import {ApiError} from "./api.js";
import {initAudit} from "./audit.js";
import {$, onUnauthorized} from "./dom.js";
import {tickDeadlines} from "./format.js";
import {initKeys} from "./keys.js";
import {initMembers} from "./members.js";
import {initNotify} from "./notify.js";
import {initPolicy} from "./policy.js";
import {wirePush} from "./push.js";
import {initQueue} from "./queue.js";
import {initRoomView, openCheckIn, refresh} from "./rooms.js";
import {showError, signIn, signOut} from "./session.js";
import {initSignals} from "./signals.js";
import {state} from "./state.js";
import {initWatchers} from "./watchers.js";

$("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  try {
    await signIn($("token").value.trim());
    openFromHash();
  } catch (e) {
    state.token = null;
    $("login-error").textContent =
        e instanceof ApiError && e.status === 401 ? "Unknown or revoked token." : e.message;
  }
});
$("logout").addEventListener("click", signOut);
onUnauthorized.run = showError;

initRoomView();
initQueue(() => refresh().catch(showError));
initAudit();
initWatchers();
initMembers();
initPolicy();
initSignals();
initAgents();
initNotify();
wirePush();
initKeys();
setInterval(tickDeadlines, 1000);

// A link or a notification names a check-in as `#ci_…`: open it once signed in.
function openFromHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (state.me && /^ci_[a-z0-9]+$/.test(id)) openCheckIn(id);
}
window.addEventListener("hashchange", openFromHash);
if ("serviceWorker" in navigator)
  navigator.serviceWorker.addEventListener("message", (e) => {
    if (e.data && e.data.open) location.hash = new URL(e.data.open).hash;
  });

if (state.token)
  signIn(state.token).then(openFromHash, () => signOut());
else
  signOut();
