// The booking dialog: creates a booking, or changes, deletes and shows the
// history of one of the user's own bookings. Other bookings open the
// read-only view in `details-dialog.js`.

import { ApiError, api } from "./api.js";
import { openDetails, roomName } from "./details-dialog.js";
import { byId, element, replaceChildren } from "./dom.js";
import { historyItems } from "./history.js";
import {
  browserZone,
  clock,
  formatTimeRange,
  isoDay,
  localTime,
  parseClock,
  rfc3339,
} from "./time.js";

/** Sentence the dialog shows for a booking's status, unless it is confirmed. */
const STATUS_SENTENCES = {
  tentative: "Tentative: the room has not accepted this booking yet.",
  declined: "The room declined this booking.",
  cancelled: "This booking was cancelled in Exchange.",
};

/** Sentence the dialog shows for the sync state of the user's own booking. */
const SYNC_SENTENCES = {
  synced: "This booking is in Exchange.",
  waiting: "The latest change is waiting to be sent to Exchange.",
  failed: "The latest change could not be sent to Exchange",
};

/** Latest end the form offers, in minutes after midnight: 23:55. */
const LAST_END_MINUTE = 23 * 60 + 55;

/** Form fields that the API's 422 `details.fields` can name. */
const FIELDS = ["room", "subject", "date", "start", "end", "attendees"];

/** Maps an API field name such as `attendees[0].address` to a form field. */
function formField(apiField) {
  const name = apiField.replace(/[[.].*$/, "");
  if (name === "all_day" || name === "time_zone") {
    return "start";
  }
  return FIELDS.includes(name) ? name : null;
}

/** Splits the attendees text into addresses. */
function parseAttendees(text) {
  return text
    .split(/[\s,;]+/)
    .map((address) => address.trim())
    .filter((address) => address.length > 0);
}

/** Describes a conflicting booking in one line, with what the API returned. */
function conflictLine(booking, rooms, me) {
  const organizer = booking.organizer === me ? "you" : booking.organizer;
  const origin = booking.origin === "external" ? ", booked in Outlook" : "";
  return (
    `${booking.subject || "(no subject)"}: ` +
    `${formatTimeRange(new Date(booking.start), new Date(booking.end))} in ` +
    `${roomName(rooms, booking.room)}, by ${organizer}${origin}`
  );
}

/**
 * Wires the dialogs of the page. `context` has `rooms()` and `me()`
 * (current room list and user address), `syncState(id)`,
 * `onChanged(message)` (refresh the timeline), `onUnauthorized(error)` and
 * `onError(message)`.
 */
export function bookingDialogs(context) {
  const dialog = byId("booking-dialog");
  const form = byId("booking-form");
  const inputs = Object.fromEntries(FIELDS.map((name) => [name, byId(`booking-${name}`)]));
  const fieldErrors = Object.fromEntries(
    FIELDS.map((name) => [name, byId(`booking-${name}-error`)]),
  );
  const title = byId("booking-title");
  const summary = byId("booking-summary");
  const formError = byId("booking-error");
  const syncLine = byId("booking-sync");
  const history = byId("booking-history");
  const historyList = byId("booking-history-list");
  const saveButton = byId("booking-save");
  const deleteButton = byId("booking-delete");
  const confirmBox = byId("delete-confirm");
  const timesNote = byId("booking-times-note");

  /** The booking being changed with its `ETag`, or `null` for a new one. */
  let editing = null;

  function clearErrors() {
    for (const name of FIELDS) {
      fieldErrors[name].textContent = "";
      inputs[name].removeAttribute("aria-invalid");
    }
    formError.hidden = true;
    formError.replaceChildren();
  }

  function showFieldError(name, message) {
    const target = fieldErrors[name];
    target.textContent = target.textContent ? `${target.textContent} ${message}` : message;
    inputs[name].setAttribute("aria-invalid", "true");
  }

  function showFormError(message, items = []) {
    formError.hidden = false;
    replaceChildren(formError, element("p", {}, message));
    if (items.length) {
      formError.append(element("ul", {}, items.map((item) => element("li", {}, item))));
    }
  }

  /** Shows an API error next to its fields, or above the form. */
  function showApiError(error) {
    if (!(error instanceof ApiError)) {
      showFormError(String(error));
      return;
    }
    if (error.status === 401) {
      dialog.close();
      context.onUnauthorized(error);
      return;
    }
    if (error.code === "invalid" && error.details && Array.isArray(error.details.fields)) {
      const unplaced = [];
      for (const { field, message } of error.details.fields) {
        const name = formField(field);
        if (name) {
          showFieldError(name, message);
        } else {
          unplaced.push(`${field}: ${message}`);
        }
      }
      showFormError("Please correct the marked fields.", unplaced);
      const first = FIELDS.find((name) => inputs[name].hasAttribute("aria-invalid"));
      if (first) {
        inputs[first].focus();
      }
      return;
    }
    if (error.code === "conflict" && error.details && Array.isArray(error.details.conflicts)) {
      showFormError(
        "The room is already booked at that time:",
        error.details.conflicts.map((booking) => conflictLine(booking, context.rooms(), context.me())),
      );
      return;
    }
    if (error.code === "stale_version") {
      showFormError(
        "This booking was changed elsewhere since you opened it. Close this dialog and open " +
          "the booking again to see its current state.",
      );
      return;
    }
    showFormError(error.message);
  }

  function fillRooms(selected) {
    const options = context
      .rooms()
      .map((room) =>
        element("option", { value: room.address, selected: room.address === selected }, room.name),
      );
    replaceChildren(inputs.room, options);
    inputs.room.value = selected;
  }

  function resetForm() {
    clearErrors();
    form.reset();
    summary.hidden = true;
    syncLine.hidden = true;
    history.hidden = true;
    history.open = false;
    historyList.replaceChildren();
    confirmBox.hidden = true;
    deleteButton.hidden = true;
    saveButton.disabled = false;
    setTimesLocked(false);
  }

  /**
   * Disables the date and time fields for a booking the form cannot
   * express: an all-day booking, or one that ends on a later day.
   */
  function setTimesLocked(locked) {
    for (const name of ["date", "start", "end"]) {
      inputs[name].disabled = locked;
    }
    timesNote.hidden = !locked;
  }

  /** Opens the dialog for a new booking in `room` on `day`, minutes `start` to `end`. */
  function openNew({ room, day, start, end }) {
    editing = null;
    resetForm();
    title.textContent = "New booking";
    saveButton.textContent = "Book";
    fillRooms(room || (context.rooms()[0] && context.rooms()[0].address) || "");
    inputs.date.value = day;
    inputs.start.value = clock(localTime(day, start));
    // NOTE: the form has one date, so a booking starts and ends on the same
    // day, and a slot that reaches midnight ends at the last time a time
    // input can hold in 5-minute steps.
    inputs.end.value = clock(localTime(day, Math.min(end, LAST_END_MINUTE)));
    dialog.showModal();
    inputs.subject.focus();
  }

  /** Shows the history of booking `id`, unless another booking was opened meanwhile. */
  async function loadHistory(id) {
    let items;
    try {
      const { data } = await api.history(id);
      items = historyItems(data);
    } catch (error) {
      items = [element("li", {}, `The history could not be read: ${error.message}`)];
    }
    if (editing && editing.id === id) {
      replaceChildren(historyList, items);
    }
  }

  /** Opens the user's own booking for changes. */
  async function openOwn(booking) {
    let current;
    try {
      current = await api.booking(booking.id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        context.onUnauthorized(error);
        return;
      }
      context.onError(`The booking could not be opened: ${error.message}`);
      return;
    }

    const view = current.data;
    editing = { id: view.id, etag: current.etag, view };
    resetForm();
    title.textContent = "Your booking";
    saveButton.textContent = "Save changes";
    deleteButton.hidden = false;
    fillRooms(view.room);
    const start = new Date(view.start);
    const end = new Date(view.end);
    inputs.subject.value = view.subject;
    inputs.date.value = isoDay(start);
    inputs.start.value = clock(start);
    inputs.end.value = clock(end);
    setTimesLocked(view.all_day || isoDay(start) !== isoDay(end));
    inputs.attendees.value = (view.attendees || []).map((attendee) => attendee.address).join(", ");

    const status = STATUS_SENTENCES[view.status] || "";
    const reason = view.declined_reason ? ` Reason: ${view.declined_reason}` : "";
    if (status || reason) {
      summary.hidden = false;
      summary.textContent = `${status}${reason}`;
    }

    const sync = context.syncState(view.id);
    if (sync) {
      syncLine.hidden = false;
      syncLine.className = `sync-state sync-${sync.state}`;
      syncLine.textContent =
        sync.state === "failed"
          ? `${SYNC_SENTENCES.failed}: ${sync.error || "no error recorded"}.`
          : SYNC_SENTENCES[sync.state];
    }

    history.hidden = false;
    dialog.showModal();
    inputs.subject.focus();
    loadHistory(view.id);
  }

  function openBooking(booking) {
    const own = booking.organizer === context.me();
    if (own && booking.origin === "internal" && !booking.deleted_at) {
      openOwn(booking);
    } else {
      openDetails(booking, context.rooms(), context.me());
    }
  }

  /** Reads the form; returns `null` after marking the fields it rejects. */
  function readForm() {
    const attendees = parseAttendees(inputs.attendees.value).map((address) => ({ address }));
    if (editing && inputs.start.disabled) {
      if (!inputs.room.value) {
        showFieldError("room", "Choose a room.");
        return null;
      }
      return {
        room: inputs.room.value,
        subject: inputs.subject.value.trim(),
        start: editing.view.start,
        end: editing.view.end,
        attendees,
      };
    }

    const day = inputs.date.value;
    const startMinute = parseClock(inputs.start.value);
    const endMinute = parseClock(inputs.end.value);
    let valid = true;
    if (!inputs.room.value) {
      showFieldError("room", "Choose a room.");
      valid = false;
    }
    if (!day) {
      showFieldError("date", "Enter a date.");
      valid = false;
    }
    if (startMinute === null) {
      showFieldError("start", "Enter a start time.");
      valid = false;
    }
    if (endMinute === null) {
      showFieldError("end", "Enter an end time.");
      valid = false;
    }
    if (valid && endMinute <= startMinute) {
      showFieldError("end", "The end must be after the start.");
      valid = false;
    }
    if (!valid) {
      return null;
    }

    return {
      room: inputs.room.value,
      subject: inputs.subject.value.trim(),
      start: rfc3339(localTime(day, startMinute)),
      end: rfc3339(localTime(day, endMinute)),
      attendees,
    };
  }

  /** Returns only the fields of `values` that differ from `view`. */
  function changedFields(values, view) {
    const changes = {};
    if (values.room !== view.room) {
      changes.room = values.room;
    }
    if (values.subject !== view.subject) {
      changes.subject = values.subject;
    }
    if (new Date(values.start).getTime() !== new Date(view.start).getTime()) {
      changes.start = values.start;
    }
    if (new Date(values.end).getTime() !== new Date(view.end).getTime()) {
      changes.end = values.end;
    }
    const known = new Map((view.attendees || []).map((attendee) => [attendee.address, attendee]));
    const before = [...known.keys()].join(",");
    const after = values.attendees.map((attendee) => attendee.address.toLowerCase()).join(",");
    if (before.toLowerCase() !== after) {
      // Attendees that stay keep their name and role.
      changes.attendees = values.attendees.map((attendee) => {
        const kept = known.get(attendee.address.toLowerCase());
        if (!kept) {
          return attendee;
        }
        return kept.name
          ? { address: kept.address, name: kept.name, role: kept.role }
          : { address: kept.address, role: kept.role };
      });
    }
    return changes;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const values = readForm();
    if (!values) {
      showFormError("Please correct the marked fields.");
      return;
    }
    saveButton.disabled = true;
    try {
      if (editing) {
        const changes = changedFields(values, editing.view);
        if (Object.keys(changes).length > 0) {
          await api.changeBooking(editing.id, editing.etag, changes);
        }
      } else {
        await api.createBooking({ ...values, time_zone: browserZone });
      }
      dialog.close();
      context.onChanged(editing ? "Booking saved." : "Booking created.");
    } catch (error) {
      showApiError(error);
    } finally {
      saveButton.disabled = false;
    }
  });

  byId("booking-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    editing = null;
  });

  deleteButton.addEventListener("click", () => {
    const subject = editing.view.subject || "(no subject)";
    byId("delete-question").textContent =
      `Delete “${subject}”? The room is released and Exchange sends cancellations to the attendees.`;
    confirmBox.hidden = false;
    byId("delete-cancelled").focus();
  });
  byId("delete-cancelled").addEventListener("click", () => {
    confirmBox.hidden = true;
    deleteButton.focus();
  });
  byId("delete-confirmed").addEventListener("click", async () => {
    clearErrors();
    try {
      await api.deleteBooking(editing.id, editing.etag);
      dialog.close();
      context.onChanged("Booking deleted.");
    } catch (error) {
      confirmBox.hidden = true;
      showApiError(error);
    }
  });


  return { openNew, openBooking };
}

