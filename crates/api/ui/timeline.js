// The room timeline: one row per room, hours across, and each booking as a
// button placed by its start and end.

import { element, replaceChildren } from "./dom.js";
import { formatHour, formatTimeRange, localTime, minutesIntoDay, today } from "./time.js";

/** Hours shown when no booking lies outside them. */
const DEFAULT_FIRST_HOUR = 8;
const DEFAULT_LAST_HOUR = 18;
/** Granularity of a slot picked by dragging, in minutes. */
const DRAG_STEP = 15;
/** Granularity of the start of a slot picked by a click, in minutes. */
const CLICK_STEP = 30;
/** Pointer movement, in pixels, below which a drag counts as a click. */
const CLICK_TOLERANCE = 4;

const STATUS_WORDS = {
  confirmed: "confirmed",
  tentative: "tentative, waiting for the room to accept",
  declined: "declined by the room",
  cancelled: "cancelled",
};

/** Words for the sync state of an own booking, keyed as `syncStates` has them. */
const SYNC_WORDS = {
  synced: "in Exchange",
  waiting: "waiting to be sent to Exchange",
  failed: "could not be sent to Exchange",
};

/**
 * Returns the first and last hour to show: the office day, widened to the
 * whole hours of every booking of `day`. All-day bookings span whatever is
 * shown, so they widen nothing.
 */
function hourRange(day, bookingsByRoom) {
  let first = DEFAULT_FIRST_HOUR;
  let last = DEFAULT_LAST_HOUR;
  for (const bookings of bookingsByRoom.values()) {
    for (const booking of bookings.filter((candidate) => !candidate.all_day)) {
      const start = Math.max(0, minutesIntoDay(day, new Date(booking.start)));
      const end = Math.min(24 * 60, minutesIntoDay(day, new Date(booking.end)));
      first = Math.min(first, Math.floor(start / 60));
      last = Math.max(last, Math.ceil(end / 60));
    }
  }
  return { first, last };
}

/** Returns when a booking takes place: "All day", or its start and end. */
function timeText(booking) {
  if (booking.all_day) {
    return "All day";
  }
  return formatTimeRange(new Date(booking.start), new Date(booking.end));
}

/** Describes a booking in words, for its accessible name and tooltip. */
export function describe(booking, model) {
  const parts = [
    booking.subject || "(no subject)",
    timeText(booking),
  ];
  if (booking.organizer === model.me) {
    parts.push("your booking");
  } else {
    parts.push(`booked by ${booking.organizer}`);
  }
  if (booking.origin === "external") {
    parts.push("made in Outlook");
  }
  parts.push(STATUS_WORDS[booking.status] || booking.status);
  const sync = model.syncStates.get(booking.id);
  if (sync) {
    parts.push(SYNC_WORDS[sync.state]);
  }
  return parts.join(", ");
}

function bookingButton(booking, lane, model, range, onBooking) {
  const span = (range.last - range.first) * 60;
  const start = Math.max(range.first * 60, minutesIntoDay(model.day, new Date(booking.start)));
  const end = Math.min(range.last * 60, minutesIntoDay(model.day, new Date(booking.end)));
  const own = booking.organizer === model.me;
  const sync = model.syncStates.get(booking.id);

  const classes = [
    "booking",
    own ? "own" : "other",
    `origin-${booking.origin}`,
    `status-${booking.status}`,
    sync ? `sync-${sync.state}` : "",
  ];

  const tags = [];
  // The colour of a declined or cancelled booking no longer shows whose
  // it is, so the text does.
  if (own && (booking.status === "declined" || booking.status === "cancelled")) {
    tags.push("yours");
  }
  if (booking.origin === "external") {
    tags.push("Outlook");
  }
  if (booking.status !== "confirmed") {
    tags.push(booking.status);
  }
  if (sync && sync.state !== "synced") {
    tags.push(sync.state === "waiting" ? "not synced" : "sync failed");
  }

  const description = describe(booking, model);
  const button = element(
    "button",
    {
      type: "button",
      className: classes.filter(Boolean).join(" "),
      dataset: { id: booking.id },
      "aria-label": description,
      title: description,
    },
    element("span", { className: "booking-subject" }, booking.subject || "(no subject)"),
    element("span", { className: "booking-time" }, timeText(booking)),
    tags.length ? element("span", { className: "booking-tags" }, tags.join(" · ")) : null,
  );

  button.style.left = `${((start - range.first * 60) / span) * 100}%`;
  button.style.width = `${(Math.max(end - start, 0) / span) * 100}%`;
  button.style.setProperty("--lane", String(lane));
  button.addEventListener("click", () => onBooking(booking));
  return button;
}

/**
 * Assigns each booking a lane, so that overlapping bookings of one room
 * (a declined booking beside the one that took its slot, say) sit one
 * below the other. Returns a Map from booking id to lane and the number
 * of lanes.
 */
function assignLanes(bookings) {
  const lanes = new Map();
  const laneEnds = [];
  const ordered = [...bookings].sort((a, b) => new Date(a.start) - new Date(b.start));
  for (const booking of ordered) {
    const start = new Date(booking.start).getTime();
    let lane = laneEnds.findIndex((end) => end <= start);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(0);
    }
    laneEnds[lane] = new Date(booking.end).getTime();
    lanes.set(booking.id, lane);
  }
  return { lanes, count: Math.max(laneEnds.length, 1) };
}

/** Returns the minute of the day under the horizontal position `x`. */
function minuteAt(track, range, x) {
  const box = track.getBoundingClientRect();
  const fraction = Math.min(Math.max((x - box.left) / box.width, 0), 1);
  return range.first * 60 + fraction * (range.last - range.first) * 60;
}

/**
 * Lets a click or drag on the empty part of `track` pick a slot: a click
 * picks an hour from the half hour under the pointer, a drag the dragged
 * span in quarter hours.
 */
function enableSlotPicking(track, room, range, onSlot) {
  track.addEventListener("pointerdown", (down) => {
    if (down.button !== 0 || down.target !== track) {
      return;
    }
    down.preventDefault();
    track.setPointerCapture(down.pointerId);
    const selection = element("div", { className: "selection", "aria-hidden": "true" });
    track.append(selection);
    const span = (range.last - range.first) * 60;
    const snapped = (x, step, round) => round(minuteAt(track, range, x) / step) * step;
    const paint = (x) => {
      const from = snapped(Math.min(down.clientX, x), DRAG_STEP, Math.floor);
      const to = snapped(Math.max(down.clientX, x), DRAG_STEP, Math.ceil);
      selection.style.left = `${((from - range.first * 60) / span) * 100}%`;
      selection.style.width = `${((to - from) / span) * 100}%`;
    };
    paint(down.clientX);
    const move = (event) => paint(event.clientX);
    const finish = (up) => {
      track.removeEventListener("pointermove", move);
      track.removeEventListener("pointerup", finish);
      track.removeEventListener("pointercancel", cancel);
      selection.remove();
      if (Math.abs(up.clientX - down.clientX) < CLICK_TOLERANCE) {
        const start = snapped(down.clientX, CLICK_STEP, Math.floor);
        onSlot(room, start, Math.min(start + 60, 24 * 60));
        return;
      }
      const from = snapped(Math.min(down.clientX, up.clientX), DRAG_STEP, Math.floor);
      const to = snapped(Math.max(down.clientX, up.clientX), DRAG_STEP, Math.ceil);
      onSlot(room, from, Math.max(to, from + DRAG_STEP));
    };
    const cancel = () => {
      track.removeEventListener("pointermove", move);
      track.removeEventListener("pointerup", finish);
      track.removeEventListener("pointercancel", cancel);
      selection.remove();
    };
    track.addEventListener("pointermove", move);
    track.addEventListener("pointerup", finish);
    track.addEventListener("pointercancel", cancel);
  });
}

function roomCell(room, onBookRoom) {
  const meta = [];
  if (room.capacity !== null && room.capacity !== undefined) {
    meta.push(room.capacity === 1 ? "1 seat" : `${room.capacity} seats`);
  }
  if (room.location) {
    meta.push(room.location);
  }
  const book = element(
    "button",
    {
      type: "button",
      className: "book-room secondary icon",
      "aria-label": `New booking in ${room.name}`,
      title: `New booking in ${room.name}`,
    },
    "+",
  );
  book.addEventListener("click", () => onBookRoom(room));
  return element(
    "div",
    { className: "room-cell" },
    element(
      "div",
      { className: "room-text" },
      element("div", { className: "room-name" }, room.name),
      meta.length ? element("div", { className: "room-meta" }, meta.join(" · ")) : null,
    ),
    book,
  );
}

function hourHeader(day, range) {
  const hours = element("div", { className: "hours", "aria-hidden": "true" });
  const span = range.last - range.first;
  for (let hour = range.first; hour < range.last; hour += 1) {
    const label = element(
      "span",
      { className: "hour", dataset: { hour: String(hour) } },
      formatHour(localTime(day, hour * 60)),
    );
    label.style.left = `${((hour - range.first) / span) * 100}%`;
    hours.append(label);
  }
  return element(
    "div",
    { className: "timeline-head" },
    element("div", { className: "room-head" }, "Room"),
    hours,
  );
}

function nowLine(model, range) {
  if (model.day !== today()) {
    return null;
  }
  const minute = minutesIntoDay(model.day, new Date());
  if (minute < range.first * 60 || minute > range.last * 60) {
    return null;
  }
  const line = element("div", { className: "now", "aria-hidden": "true" });
  line.style.left = `${((minute - range.first * 60) / ((range.last - range.first) * 60)) * 100}%`;
  return line;
}

/**
 * Renders the timeline of `model` into `container`.
 *
 * `model` has `day` (`YYYY-MM-DD`), `rooms`, `bookings` (a Map from room
 * address to that day's bookings), `filtered` (whether a filter hides
 * rooms), `me` (the user's address) and `syncStates` (a Map from booking
 * id to `{state, error}`). The handlers are
 * `onSlot(room, startMinute, endMinute)`, `onBooking(booking)` and
 * `onBookRoom(room)`.
 */
export function renderTimeline(container, model, handlers) {
  const range = hourRange(model.day, model.bookings);
  const timeline = element("div", { className: "timeline" });
  timeline.style.setProperty("--hours", String(range.last - range.first));
  timeline.append(hourHeader(model.day, range));
  for (const room of model.rooms) {
    const track = element("div", {
      className: "track",
      dataset: { room: room.address },
      role: "group",
      "aria-label": `Bookings of ${room.name}`,
    });
    const bookings = model.bookings.get(room.address) || [];
    const { lanes, count } = assignLanes(bookings);
    track.style.setProperty("--lanes", String(count));
    for (const booking of bookings) {
      const lane = lanes.get(booking.id);
      track.append(bookingButton(booking, lane, model, range, handlers.onBooking));
    }
    const line = nowLine(model, range);
    if (line) {
      track.append(line);
    }
    enableSlotPicking(track, room, range, handlers.onSlot);
    timeline.append(
      element(
        "div",
        { className: "timeline-row", dataset: { room: room.address } },
        roomCell(room, handlers.onBookRoom),
        track,
      ),
    );
  }
  if (model.rooms.length === 0) {
    const message = model.filtered
      ? "No room matches the filter."
      : "No rooms yet. An administrator adds them with `roombridge room add` or in the configuration.";
    timeline.append(element("p", { className: "empty" }, message));
  }
  // A refresh keeps the sideways scroll position of a narrow window.
  const scrolled = container.scrollLeft;
  replaceChildren(container, timeline);
  container.scrollLeft = scrolled;
}
