// The read-only view of a booking the user may not change: someone
// else's, or one made in Outlook.

import { byId, element, replaceChildren } from "./dom.js";
import { formatDateTime, formatTime } from "./time.js";

/** Returns the display name of the room `address`, or the address. */
export function roomName(rooms, address) {
  const room = rooms.find((candidate) => candidate.address === address);
  return room ? room.name : address;
}

/** Opens a read-only view of a booking the user may not change. */
export function openDetails(booking, rooms, me) {
  const own = booking.organizer === me;
  byId("details-title").textContent = booking.subject || "(no subject)";
  const rows = [
    ["Room", roomName(rooms, booking.room)],
    [
      "When",
      `${formatDateTime(new Date(booking.start))} to ${formatTime(new Date(booking.end))}`,
    ],
    ["Organizer", own ? `${booking.organizer} (you)` : booking.organizer],
    ["Booked", booking.origin === "external" ? "in Outlook" : "in roombridge"],
    ["Status", booking.status],
  ];
  if (booking.declined_reason) {
    rows.push(["Reason", booking.declined_reason]);
  }
  replaceChildren(
    byId("details-list"),
    rows.map(([term, value]) => [element("dt", {}, term), element("dd", {}, value)]),
  );
  byId("details-note").textContent =
    booking.origin === "external"
      ? "This booking was made in Outlook and can be changed there only."
      : "Only the organizer can change this booking.";
  byId("details-dialog").showModal();
  byId("details-close").focus();
}

byId("details-close").addEventListener("click", () => byId("details-dialog").close());
