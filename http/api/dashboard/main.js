// The Waitroom dashboard: plain JavaScript modules over the v1 API, with the person's
// token. Start here: sign-in wiring, then the room view (rooms.js) and a check-in
// (detail.js).
import {ApiError} from "./api.js";
import {$} from "./dom.js";
import {tickDeadlines} from "./format.js";
import {initKeys} from "./keys.js";
import {initRoomView} from "./rooms.js";
import {signIn, signOut} from "./session.js";
import {state} from "./state.js";

$("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  try {
    await signIn($("token").value.trim());
  } catch (e) {
    state.token = null;
    $("login-error").textContent =
        e instanceof ApiError && e.status === 401 ? "Unknown or revoked token." : e.message;
  }
});
$("logout").addEventListener("click", signOut);

initRoomView();
initKeys();
setInterval(tickDeadlines, 1000);

if (state.token)
  signIn(state.token).catch(() => signOut());
else
  signOut();
