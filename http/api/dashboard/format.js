// How times, principals and deadlines read.
export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso), s = Math.round((d - Date.now()) / 1000), a = Math.abs(s);
  if (a < 5) return "just now";  // a clock a little ahead or behind says nothing useful
  const span = a < 60 ? a + " s" :
      a < 3600        ? Math.round(a / 60) + " min" :
      a < 86400       ? Math.round(a / 3600) + " h" :
                        Math.round(a / 86400) + " d";
  return (s >= 0 ? "in " + span : span + " ago");
}

// Statuses that still wait on someone (the API's pending/open/claimed/in_review).
export const WAITING = ["pending", "open", "claimed", "in_review"];

export function who(ref) {
  if (!ref) return "—";
  return ref.id ? ref.kind + " " + ref.id : ref.kind;
}

// What the deadline of a check-in that still waits means, in words.
export function deadline(c) {
  if (c.expires_at)
    return c.expires_at + " (" + when(c.expires_at) + "), then " +
        c.timeout_action.replace("_", " ");
  if (c.status === "claimed" || c.status === "in_review")
    return "none while a task is being worked on";
  return c.timeout_action === "hold" ? "never (held until decided)" : "—";
}
