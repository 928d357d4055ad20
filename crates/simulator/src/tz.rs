//! Maps the Windows time zone ids EWS carries (`StartTimeZone Id`) to IANA
//! zones for recurrence expansion.

use jiff::tz::TimeZone;

/// Windows id and IANA name, from the CLDR windowsZones table (territory 001).
const WINDOWS_TO_IANA: &[(&str, &str)] = &[
    ("UTC", "UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("Romance Standard Time", "Europe/Paris"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("India Standard Time", "Asia/Calcutta"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
];

/// Returns the IANA zone for a Windows id, also accepting IANA names;
/// unknown ids fall back to UTC.
pub(crate) fn zone_for(windows_id: &str) -> TimeZone {
    let iana = WINDOWS_TO_IANA
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(windows_id))
        .map_or(windows_id, |(_, iana)| *iana);
    // NOTE: a zone missing from the table and from the system database is
    // expanded as UTC, which shifts local-time recurrences across DST.
    TimeZone::get(iana).unwrap_or(TimeZone::UTC)
}

/// Returns the Windows id for an IANA name, if the table has one.
pub(crate) fn windows_id_for(iana: &str) -> Option<&'static str> {
    WINDOWS_TO_IANA
        .iter()
        .find(|(_, name)| *name == iana)
        .map(|(windows, _)| *windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_windows_ids() {
        assert_eq!(
            zone_for("China Standard Time").iana_name(),
            Some("Asia/Shanghai")
        );
        assert_eq!(zone_for("Europe/Berlin").iana_name(), Some("Europe/Berlin"));
        assert_eq!(zone_for("No Such Zone"), TimeZone::UTC);
        assert_eq!(windows_id_for("Asia/Shanghai"), Some("China Standard Time"));
    }
}
