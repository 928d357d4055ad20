// Entry point of the web UI: sign-in, the toolbar and the timeline.

import { ApiError, api, forgetToken, storeToken, storedToken } from "./api.js";
import { bookingDialogs } from "./booking-dialog.js";
import { byId } from "./dom.js";
import {
  addDays,
  browserZone,
  formatDay,
  formatTime,
  isoDay,
  localTime,
  rfc3339,
  today,
} from "./time.js";
import { renderTimeline } from "./timeline.js";

/** Maximum number of rooms shown at once; the filter narrows a longer list. */
const MAX_ROOMS_SHOWN = 60;
/** Room booking lists requested at the same time. */
const PARALLEL_REQUESTS = 6;
/** Time between automatic refreshes while the page is visible, in ms. */
const REFRESH_INTERVAL = 60_000;
/** Outbox states that mean a change has not reached Exchange yet. */
const WAITING_STATES = ["pending", "claimed"];

const state = {
  me: null,
  rooms: [],
  day: dayFromAddress() || today(),
  filter: "",
  syncStates: new Map(),
};
/**
 * Returns the day named in the address's fragment (`#2026-12-07`), so that
 * a reload or a shared link shows the same day, or `null`.
 */
function dayFromAddress() {
  const day = location.hash.slice(1);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && isoDay(localTime(day)) === day ? day : null;
}

/** Counter that lets only the newest refresh render. */
let refreshes = 0;

const status = byId("status");

function setStatus(message, kind = "info") {
  status.textContent = message;
  status.className = `status status-${kind}`;
}

function showSignIn(message = "") {
  // A refresh still under way must not render for the signed-out user.
  refreshes += 1;
  state.me = null;
  byId("account").hidden = true;
  byId("workspace").hidden = true;
  byId("sign-in").hidden = false;
  byId("sign-in-error").textContent = message;
  byId("token").value = "";
  byId("token").focus();
}

function showWorkspace() {
  byId("sign-in").hidden = true;
  byId("account").hidden = false;
  byId("who-name").textContent = state.me.name;
  // The address is shown beside the name unless the name is the address.
  byId("who-address").textContent = state.me.name === state.me.address ? "" : state.me.address;
  byId("workspace").hidden = false;
  byId("zone").textContent = browserZone;
  byId("day").value = state.day;
  refresh();
}

function signOut(message = "") {
  forgetToken();
  showSignIn(message);
}

function onUnauthorized(error) {
  signOut(`You were signed out: ${error.message}`);
}

/** Returns the rooms matching the filter text. */
function matchingRooms() {
  const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  return state.rooms.filter((room) => {
    const text = `${room.name} ${room.location || ""} ${room.address}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** Runs `task` for every item, at most `limit` at a time. */
async function forEachLimited(items, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Reads which bookings have changes waiting in the outbox. The outbox is
 * shared by everyone, so this is one request per state, not per booking.
 */
async function readSyncStates(bookings) {
  const states = new Map();
  try {
    const replies = await Promise.all(
      [...WAITING_STATES, "parked"].map((outboxState) => api.outbox(outboxState)),
    );
    for (const { data } of replies) {
      for (const record of data.records) {
        if (record.state === "parked") {
          states.set(record.booking_id, { state: "failed", error: record.last_error || "" });
        } else if (!states.has(record.booking_id)) {
          states.set(record.booking_id, { state: "waiting", error: "" });
        }
      }
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw error;
    }
    // Without the outbox the timeline still shows every booking.
    return new Map();
  }
  const own = new Map();
  for (const booking of bookings) {
    if (booking.organizer !== state.me.address || booking.origin !== "internal") {
      continue;
    }
    const known = states.get(booking.id);
    if (known) {
      own.set(booking.id, known);
    } else if (booking.ical_uid) {
      own.set(booking.id, { state: "synced", error: "" });
    }
  }
  return own;
}

/** Reloads rooms and the day's bookings and renders the timeline. */
async function refresh(message = "") {
  const generation = ++refreshes;
  if (!message) {
    setStatus("Loading…");
  }
  const day = state.day;
  try {
    const { data: rooms } = await api.rooms();
    state.rooms = rooms;
    const matching = matchingRooms();
    const shown = matching.slice(0, MAX_ROOMS_SHOWN);
    const from = rfc3339(localTime(day));
    const to = rfc3339(localTime(addDays(day, 1)));
    // NOTE: this is one request per room shown. An endpoint that lists the
    // bookings of many rooms in one window would make it a single request.
    const bookings = new Map();
    await forEachLimited(shown, PARALLEL_REQUESTS, async (room) => {
      const { data } = await api.roomBookings(room.address, from, to);
      bookings.set(room.address, data);
    });
    const syncStates = await readSyncStates([...bookings.values()].flat());
    if (generation !== refreshes) {
      return;
    }
    state.syncStates = syncStates;
    byId("day-title").textContent = formatDay(day);
    renderTimeline(
      byId("timeline"),
      {
        day,
        rooms: shown,
        filtered: state.filter.trim() !== "",
        bookings,
        me: state.me.address,
        syncStates,
      },
      {
        onSlot: (room, start, end) => dialogs.openNew({ room: room.address, day, start, end }),
        onBooking: (booking) => dialogs.openBooking(booking),
        onBookRoom: (room) => dialogs.openNew({ room: room.address, day, ...nextSlot(day) }),
      },
    );
    const more =
      matching.length > shown.length
        ? ` Showing ${shown.length} of ${matching.length} rooms; type in the filter to find others.`
        : "";
    setStatus(`${message || `Updated at ${formatTime(new Date())}.`}${more}`);
  } catch (error) {
    if (generation !== refreshes) {
      return;
    }
    if (error instanceof ApiError && error.status === 401) {
      onUnauthorized(error);
      return;
    }
    setStatus(`The timeline could not be loaded: ${error.message}`, "error");
  }
}

/** Returns the next full hour today (22:00 at the latest), or 09:00 on another day, as a slot. */
function nextSlot(day) {
  let start = 9 * 60;
  if (day === today()) {
    start = Math.min((new Date().getHours() + 1) * 60, 22 * 60);
  }
  return { start, end: start + 60 };
}

const dialogs = bookingDialogs({
  rooms: () => state.rooms,
  me: () => state.me && state.me.address,
  syncState: (id) => state.syncStates.get(id),
  onChanged: (message) => refresh(message),
  onUnauthorized,
  onError: (message) => setStatus(message, "error"),
});

function setDay(day) {
  if (!day) {
    return;
  }
  state.day = day;
  byId("day").value = day;
  history.replaceState(null, "", day === today() ? location.pathname : `#${day}`);
  refresh();
}

async function syncNow() {
  const button = byId("sync-now");
  button.disabled = true;
  setStatus("Syncing with Exchange…");
  let message = "";
  try {
    const { data } = await api.sync();
    const errors = data.rooms.reduce((count, room) => count + room.errors.length, 0);
    message =
      errors > 0
        ? `Sync finished with ${errors} error(s); ask an administrator to check the server log.`
        : `Sync finished: ${data.rooms.length} room(s) read in ${data.duration_ms} ms.`;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      button.disabled = false;
      onUnauthorized(error);
      return;
    }
    message = `Sync did not run: ${error.message}`;
  }
  button.disabled = false;
  await refresh(message);
}

async function signIn(event) {
  event.preventDefault();
  const token = byId("token").value.trim();
  const problem = byId("sign-in-error");
  if (!token) {
    problem.textContent = "Paste your API token first.";
    return;
  }
  problem.textContent = "";
  byId("token").removeAttribute("aria-invalid");
  try {
    const { data } = await api.me(token);
    storeToken(token);
    state.me = data;
    showWorkspace();
  } catch (error) {
    byId("token").setAttribute("aria-invalid", "true");
    problem.textContent =
      error instanceof ApiError && error.status === 401
        ? "This token was not accepted: it is unknown, expired or revoked. Ask for a new one."
        : `Signing in failed: ${error.message}`;
  }
}

async function start() {
  byId("sign-in-form").addEventListener("submit", signIn);
  byId("sign-out").addEventListener("click", () => signOut("You are signed out."));
  byId("day").addEventListener("change", (event) => setDay(event.target.value));
  byId("previous-day").addEventListener("click", () => setDay(addDays(state.day, -1)));
  byId("next-day").addEventListener("click", () => setDay(addDays(state.day, 1)));
  byId("today").addEventListener("click", () => setDay(today()));
  byId("sync-now").addEventListener("click", syncNow);
  byId("new-booking").addEventListener("click", () => {
    const room = matchingRooms()[0];
    dialogs.openNew({ room: room && room.address, day: state.day, ...nextSlot(state.day) });
  });
  // Typing refreshes after a pause. `change` also covers a field emptied
  // without key presses, such as by the browser's clear button.
  let filterTimer = 0;
  const filterRooms = (event) => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      if (state.filter !== event.target.value) {
        state.filter = event.target.value;
        refresh();
      }
    }, 250);
  };
  byId("room-filter").addEventListener("input", filterRooms);
  byId("room-filter").addEventListener("change", filterRooms);
  setInterval(() => {
    const dialogOpen = document.querySelector("dialog[open]");
    if (state.me && document.visibilityState === "visible" && !dialogOpen) {
      refresh();
    }
  }, REFRESH_INTERVAL);

  if (!storedToken()) {
    showSignIn();
    return;
  }
  try {
    const { data } = await api.me();
    state.me = data;
    showWorkspace();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut(`Your token is no longer accepted: ${error.message}`);
    } else {
      showSignIn(`roombridge could not be reached: ${error.message}`);
    }
  }
}

start();
