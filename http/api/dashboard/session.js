// Signing in with a personal token, signing out, and what an error does.
import {api, ApiError} from "./api.js";
import {$, notice} from "./dom.js";
import {startLive, stopLive} from "./live.js";
import {forgetNames, loadNames} from "./names.js";
import {initPush} from "./push.js";
import {forgetQueue} from "./queue.js";
import {onRoomEvent, refresh} from "./rooms.js";
import {state} from "./state.js";

export async function signIn(token) {
  state.token = token;
  const me = (await api("GET", "/v1/me")).data;
  if (me.kind !== "user") throw new Error("this dashboard is for people; agents use the API");
  state.me = me;
  sessionStorage.setItem("waitroom-token", token);
  $("login").hidden = true;
  $("app").hidden = false;
  $("who").textContent = me.name + " · " + me.role;
  await loadNames().catch(showError);
  startLive(onRoomEvent);
  // signed in from here on: a failure (a token revoked meanwhile) signs out as usual
  await refresh().catch(showError);
  initPush().catch(() => {});
}

export function signOut() {
  stopLive();
  forgetNames();
  forgetQueue();
  state.fresh.clear();
  state.selected = null;
  $("detail").hidden = true;
  document.title = "Waitroom";
  sessionStorage.removeItem("waitroom-token");
  state.token = null;
  state.me = null;
  $("app").hidden = true;
  $("login").hidden = false;
}

export function showError(e) {
  if (e instanceof ApiError && e.status === 401) {
    signOut();
    $("login-error").textContent = "Your token is no longer valid.";
    return;
  }
  notice(e.message);
}
