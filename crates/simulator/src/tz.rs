//! Time zones of meetings: the Windows ids EWS carries (`StartTimeZone Id`)
//! resolved to IANA zones for recurrence expansion, through the CLDR
//! mapping of `roombridge-ews`.

use jiff::tz::TimeZone;
use roombridge_ews::timezone;

/// Returns the zone for a Windows id; IANA names are accepted too, and an
/// unknown id falls back to UTC.
pub(crate) fn zone_for(id: &str) -> TimeZone {
    if id.eq_ignore_ascii_case("UTC") {
        return TimeZone::UTC;
    }
    // NOTE: an id known to neither CLDR nor the system database expands as
    // UTC, which shifts local-time recurrences across DST changes.
    timezone::windows_time_zone(id)
        .or_else(|_| TimeZone::get(id))
        .unwrap_or(TimeZone::UTC)
}

/// Returns the Windows id for an IANA name, if CLDR has one.
pub(crate) fn windows_id_for(iana: &str) -> Option<&'static str> {
    timezone::iana_to_windows(iana)
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
        assert_eq!(
            zone_for("W. Europe Standard Time").iana_name(),
            Some("Europe/Berlin")
        );
        assert_eq!(zone_for("Europe/Berlin").iana_name(), Some("Europe/Berlin"));
        assert_eq!(zone_for("No Such Zone"), TimeZone::UTC);
        assert_eq!(windows_id_for("Asia/Shanghai"), Some("China Standard Time"));
    }
}
