//! Windows time zone ids (as EWS uses them) to IANA names and back, from
//! the CLDR `windowsZones.xml` mapping that the `localzone` crate ships.

/// Returns the IANA zone for a Windows time zone id, such as
/// `W. Europe Standard Time` to `Europe/Berlin` (CLDR's territory `001`
/// choice).
pub fn windows_to_iana(windows_id: &str) -> Option<&'static str> {
    localzone::win_zone_to_iana(windows_id, Some("001"))
        .or_else(|| localzone::win_zone_to_iana(windows_id, None))
}

/// Returns the Windows time zone id for an IANA zone, such as
/// `Europe/Amsterdam` to `W. Europe Standard Time`.
///
/// CLDR names some zones by their older IANA names (`Asia/Calcutta`,
/// `Europe/Kiev`), so a current name that CLDR lacks (`Asia/Kolkata`,
/// `Europe/Kyiv`) is looked up through its aliases in the time zone
/// database.
pub fn iana_to_windows(iana: &str) -> Option<&'static str> {
    if matches!(iana, "UTC" | "Etc/UTC" | "Etc/GMT" | "GMT") {
        return Some("UTC");
    }
    if let Some((windows_id, _territory)) = localzone::iana_to_win_zone(iana) {
        return Some(windows_id);
    }
    // jiff treats two names as equal time zones when one is a link to the
    // other, because it compares the zone data and the primary name.
    let zone = jiff::tz::TimeZone::get(iana).ok()?;
    jiff::tz::db()
        .available()
        .filter(|name| name.as_str() != iana)
        .filter(|name| jiff::tz::TimeZone::get(name.as_str()).is_ok_and(|alias| alias == zone))
        .find_map(|name| localzone::iana_to_win_zone(name.as_str()))
        .map(|(windows_id, _territory)| windows_id)
}

/// Returns the jiff time zone for a Windows time zone id.
///
/// NOTE: for some ids CLDR gives an older IANA name, such as
/// `Asia/Calcutta`, which the system's time zone database must provide as
/// a link (the IANA `backward` file defines these links).
///
/// # Errors
///
/// Returns a message naming the id when CLDR has no mapping for it or the
/// system's time zone database lacks the IANA zone.
pub fn windows_time_zone(windows_id: &str) -> Result<jiff::tz::TimeZone, String> {
    let iana = windows_to_iana(windows_id)
        .ok_or_else(|| format!("unknown Windows time zone id `{windows_id}`; expected an id such as `W. Europe Standard Time`"))?;
    jiff::tz::TimeZone::get(iana).map_err(|error| {
        format!("time zone `{iana}` (from Windows id `{windows_id}`) is not available: {error}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_ids_map_to_iana() {
        assert_eq!(
            windows_to_iana("W. Europe Standard Time"),
            Some("Europe/Berlin")
        );
        assert_eq!(
            windows_to_iana("Pacific Standard Time"),
            Some("America/Los_Angeles")
        );
        assert_eq!(
            windows_to_iana("China Standard Time"),
            Some("Asia/Shanghai")
        );
        assert_eq!(windows_to_iana("UTC"), Some("Etc/UTC"));
        assert_eq!(windows_to_iana("No Such Standard Time"), None);
    }

    #[test]
    fn iana_maps_to_windows_ids() {
        assert_eq!(
            iana_to_windows("Europe/Amsterdam"),
            Some("W. Europe Standard Time")
        );
        assert_eq!(
            iana_to_windows("America/New_York"),
            Some("Eastern Standard Time")
        );
        assert_eq!(
            iana_to_windows("Asia/Shanghai"),
            Some("China Standard Time")
        );
        assert_eq!(iana_to_windows("UTC"), Some("UTC"));
        assert_eq!(iana_to_windows("Asia/Kolkata"), Some("India Standard Time"));
        assert_eq!(iana_to_windows("Europe/Kyiv"), Some("FLE Standard Time"));
        assert_eq!(iana_to_windows("Mars/Olympus_Mons"), None);
    }

    #[test]
    fn windows_time_zone_resolves() {
        let zone = windows_time_zone("Tokyo Standard Time").unwrap();
        assert_eq!(zone.iana_name(), Some("Asia/Tokyo"));
        let error = windows_time_zone("Nowhere Time").unwrap_err();
        assert!(error.contains("Nowhere Time"), "{error}");
    }
}
