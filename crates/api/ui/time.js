// Dates and times in the browser's time zone. A day is written as
// `YYYY-MM-DD` and a time of day as minutes after midnight.

/** IANA name of the browser's time zone, sent with new bookings. */
export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const hourFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric" });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

function pad(number) {
  return String(number).padStart(2, "0");
}

/** Returns the local day of `date` as `YYYY-MM-DD`. */
export function isoDay(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Returns today as `YYYY-MM-DD`. */
export function today() {
  return isoDay(new Date());
}

/** Returns the local time `minutes` after midnight of `day`. */
export function localTime(day, minutes = 0) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year, month - 1, date, Math.floor(minutes / 60), minutes % 60);
}

/** Returns `day` moved by `days` (negative for earlier days). */
export function addDays(day, days) {
  const date = localTime(day);
  date.setDate(date.getDate() + days);
  return isoDay(date);
}

/** Formats `date` as RFC 3339 with the browser's offset at that instant. */
export function rfc3339(date) {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const absolute = Math.abs(offset);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${isoDay(date)}T${clock}${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** Returns the local time of day of `date` as `HH:MM`, for time inputs. */
export function clock(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Parses `HH:MM` into minutes after midnight, or `null`. */
export function parseClock(text) {
  const match = /^(\d{2}):(\d{2})/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * Returns the wall-clock time of `date` on `day` in minutes after midnight,
 * so that on a day when daylight saving time starts or ends a booking at
 * 10:00 still sits at the 10:00 mark. A time before `day` is negative and
 * one after it 1440 or more.
 */
export function minutesIntoDay(day, date) {
  const start = localTime(day);
  if (date < start) {
    return (date.getTime() - start.getTime()) / 60000;
  }
  if (isoDay(date) !== day) {
    return 24 * 60 + (date.getTime() - localTime(addDays(day, 1)).getTime()) / 60000;
  }
  return date.getHours() * 60 + date.getMinutes() + date.getSeconds() / 60;
}

export function formatTime(date) {
  return timeFormat.format(date);
}

/** Formats the hour of `date` alone ("9 AM" or "09"), for the hour marks. */
export function formatHour(date) {
  return hourFormat.format(date);
}

/** Formats a span of time, sharing what both ends have ("9:00 – 10:00 AM"). */
export function formatTimeRange(start, end) {
  return timeFormat.formatRange(start, end);
}

export function formatDay(day) {
  return dayFormat.format(localTime(day));
}

export function formatDateTime(date) {
  return dateTimeFormat.format(date);
}
