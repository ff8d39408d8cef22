// How a new arrival asks for attention beyond the page: an optional sound and an
// optional desktop notification (with the browser's permission). Both are off until the
// person turns them on; the choice is kept in this browser.
import {$, notice} from "./dom.js";

const prefs = {
  sound: localStorage.getItem("waitroom-sound") === "on",
  desktop: localStorage.getItem("waitroom-desktop") === "on"
};

function showState() {
  for (const [id, on] of [["sound", prefs.sound], ["desktop", prefs.desktop]]) {
    const b = $(id);
    b.setAttribute("aria-pressed", String(on));
    b.textContent = (id === "sound" ? "Sound: " : "Alerts: ") + (on ? "on" : "off");
  }
}

// Two short tones (Web Audio: no file to fetch).
function chime() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  const ctx = chime.ctx || (chime.ctx = new Ctx());
  const t = ctx.currentTime;
  for (const [f, at] of [[880, 0], [1320, 0.12]]) {
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = f;
    gain.gain.setValueAtTime(0.15, t + at);
    gain.gain.exponentialRampToValueAtTime(0.001, t + at + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t + at);
    osc.stop(t + at + 0.3);
  }
  notify.chimes++;
}

// A new check-in waits for a person: sound and notification, as the person chose.
export function notify(c, open) {
  if (prefs.sound) chime();
  if (prefs.desktop && "Notification" in window && Notification.permission === "granted") {
    const n =
        new Notification("Decision needed: " + c.risk_level + " risk", {body: c.action, tag: c.id});
    n.onclick = () => {
      window.focus();
      open(c.id);
      n.close();
    };
  }
}
notify.chimes = 0;  // how many times it chimed (tests read it)

export function initNotify() {
  showState();
  $("sound").addEventListener("click", () => {
    prefs.sound = !prefs.sound;
    localStorage.setItem("waitroom-sound", prefs.sound ? "on" : "off");
    if (prefs.sound) chime();  // the click is the gesture that lets audio play
    showState();
  });
  $("desktop").addEventListener("click", async () => {
    if (!prefs.desktop) {
      if (!("Notification" in window)) return notice("This browser has no notifications.");
      if ((await Notification.requestPermission()) !== "granted")
        return notice("Notifications are blocked for this page in the browser's settings.");
    }
    prefs.desktop = !prefs.desktop;
    localStorage.setItem("waitroom-desktop", prefs.desktop ? "on" : "off");
    showState();
  });
}
