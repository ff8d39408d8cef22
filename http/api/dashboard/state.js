// What the page knows: the person's token and who they are, the rooms, what is shown.
export const state = {
  token: sessionStorage.getItem("waitroom-token"),
  me: null,
  rooms: [],
  room: null,
  tab: "queue",
  selected: null,
  fresh: new Set()  // ids of arrivals not looked at yet
};

// How often the page reads the API again while its live stream is down.
export const REFRESH_MS = 4000;
