// A booking's history as list items, newest first.

import { element } from "./dom.js";
import { formatDateTime } from "./time.js";

/** Readable names of the booking fields that a history entry lists. */
const FIELD_NAMES = {
  room: "room",
  subject: "subject",
  body: "description",
  start: "start",
  end: "end",
  time_zone: "time zone",
  all_day: "all day",
  attendees: "attendees",
  status: "status",
  declined_reason: "reason for declining",
  deleted_at: "deleted",
};

/** Formats a value from a history entry for reading. */
function historyValue(field, value) {
  if (value === null || value === undefined || value === "") {
    return "(none)";
  }
  if (["start", "end", "deleted_at"].includes(field) && typeof value === "string") {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) {
      return formatDateTime(date);
    }
  }
  if (Array.isArray(value)) {
    return value.map((item) => (item && item.address) || JSON.stringify(item)).join(", ") || "(none)";
  }
  return typeof value === "string" ? `“${value}”` : JSON.stringify(value);
}

/** Returns one list item per history entry, newest first, each listing its changes. */
export function historyItems(entries) {
  return entries
    .slice()
    .reverse()
    .map((entry) => {
      const author = entry.side === "exchange" ? "Exchange" : entry.actor;
      const changes =
        entry.action === "created"
          ? []
          : entry.changes.map((change) =>
              element(
                "li",
                {},
                `${FIELD_NAMES[change.field] || change.field}: ` +
                  `${historyValue(change.field, change.from)} → ` +
                  historyValue(change.field, change.to),
              ),
            );
      return element(
        "li",
        {},
        element(
          "span",
          { className: "history-head" },
          `${formatDateTime(new Date(entry.at))}: ${entry.action} by ${author} (version ${entry.version})`,
        ),
        changes.length ? element("ul", {}, changes) : null,
      );
    });
}
