//! Recurrence patterns of series masters and their expansion into
//! occurrences, as EWS's RecurrenceType describes them.
//!
//! Occurrences are generated on the calendar of the series' start time zone,
//! so a weekly 09:00 meeting stays at 09:00 local time across daylight saving
//! changes.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// A recurrence pattern plus its range.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Recurrence {
    /// Repetition pattern.
    pub pattern: Pattern,
    /// First day of the series.
    pub start_date: Date,
    /// End of the series.
    pub end: RangeEnd,
}

/// Repetition pattern of a series.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Pattern {
    /// Every `interval` days.
    Daily {
        /// Days between occurrences.
        interval: u32,
    },
    /// On `days` every `interval` weeks.
    Weekly {
        /// Weeks between occurrences.
        interval: u32,
        /// Days of the week.
        days: Vec<DayOfWeek>,
        /// First day of the week, used to count weeks.
        first_day_of_week: DayOfWeek,
    },
    /// On a day of the month every `interval` months.
    AbsoluteMonthly {
        /// Months between occurrences.
        interval: u32,
        /// Day of the month (1 to 31; shorter months use their last day).
        day_of_month: i8,
    },
    /// On the `index`-th `days` of the month every `interval` months.
    RelativeMonthly {
        /// Months between occurrences.
        interval: u32,
        /// Days that count.
        days: DayOfWeek,
        /// Position among those days in the month.
        index: WeekIndex,
    },
    /// On a day of a month every year.
    AbsoluteYearly {
        /// Day of the month.
        day_of_month: i8,
        /// Month, 1 to 12.
        month: i8,
    },
    /// On the `index`-th `days` of a month every year.
    RelativeYearly {
        /// Days that count.
        days: DayOfWeek,
        /// Position among those days in the month.
        index: WeekIndex,
        /// Month, 1 to 12.
        month: i8,
    },
}

/// A DayOfWeekType value.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum DayOfWeek {
    /// Sunday.
    Sunday,
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Any day.
    Day,
    /// Monday to Friday.
    Weekday,
    /// Saturday or Sunday.
    WeekendDay,
}

const DAY_NAMES: [(DayOfWeek, &str); 10] = [
    (DayOfWeek::Sunday, "Sunday"),
    (DayOfWeek::Monday, "Monday"),
    (DayOfWeek::Tuesday, "Tuesday"),
    (DayOfWeek::Wednesday, "Wednesday"),
    (DayOfWeek::Thursday, "Thursday"),
    (DayOfWeek::Friday, "Friday"),
    (DayOfWeek::Saturday, "Saturday"),
    (DayOfWeek::Day, "Day"),
    (DayOfWeek::Weekday, "Weekday"),
    (DayOfWeek::WeekendDay, "WeekendDay"),
];

impl DayOfWeek {
    /// Returns the schema's name.
    pub fn as_str(self) -> &'static str {
        DAY_NAMES
            .iter()
            .find(|(day, _)| *day == self)
            .map(|(_, name)| *name)
            .unwrap_or("Day")
    }

    /// Parses the schema's name.
    pub fn parse(text: &str) -> Option<DayOfWeek> {
        DAY_NAMES
            .iter()
            .find(|(_, name)| *name == text)
            .map(|(day, _)| *day)
    }

    /// Converts a calendar weekday.
    pub fn from_weekday(weekday: Weekday) -> DayOfWeek {
        match weekday {
            Weekday::Sunday => DayOfWeek::Sunday,
            Weekday::Monday => DayOfWeek::Monday,
            Weekday::Tuesday => DayOfWeek::Tuesday,
            Weekday::Wednesday => DayOfWeek::Wednesday,
            Weekday::Thursday => DayOfWeek::Thursday,
            Weekday::Friday => DayOfWeek::Friday,
            Weekday::Saturday => DayOfWeek::Saturday,
        }
    }

    fn matches(self, weekday: Weekday) -> bool {
        match self {
            DayOfWeek::Day => true,
            DayOfWeek::Weekday => !matches!(weekday, Weekday::Saturday | Weekday::Sunday),
            DayOfWeek::WeekendDay => matches!(weekday, Weekday::Saturday | Weekday::Sunday),
            single => DayOfWeek::from_weekday(weekday) == single,
        }
    }
}

/// A DayOfWeekIndexType value.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum WeekIndex {
    /// First.
    First,
    /// Second.
    Second,
    /// Third.
    Third,
    /// Fourth.
    Fourth,
    /// Last.
    Last,
}

impl WeekIndex {
    /// Returns the schema's name.
    pub fn as_str(self) -> &'static str {
        match self {
            WeekIndex::First => "First",
            WeekIndex::Second => "Second",
            WeekIndex::Third => "Third",
            WeekIndex::Fourth => "Fourth",
            WeekIndex::Last => "Last",
        }
    }

    /// Parses the schema's name.
    pub fn parse(text: &str) -> Option<WeekIndex> {
        [
            WeekIndex::First,
            WeekIndex::Second,
            WeekIndex::Third,
            WeekIndex::Fourth,
            WeekIndex::Last,
        ]
        .into_iter()
        .find(|index| index.as_str() == text)
    }
}

/// End of a series.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum RangeEnd {
    /// Never (NoEndRecurrence).
    Never,
    /// After the occurrence on this date (EndDateRecurrence).
    EndDate(Date),
    /// After this many occurrences (NumberedRecurrence).
    Count(u32),
}

/// Upper bound on the occurrences one expansion generates, so neither a
/// series without end nor one with a huge NumberOfOccurrences can hold the
/// organisation's lock for long or fill a response with millions of items.
const MAX_OCCURRENCES: usize = 5000;

impl Recurrence {
    /// Returns the local start dates of the series, in order, up to and
    /// including `until` (a local date).
    pub fn dates(&self, until: Date) -> Vec<Date> {
        let last = match self.end {
            RangeEnd::EndDate(end) => end.min(until),
            _ => until,
        };
        let limit = match self.end {
            RangeEnd::Count(count) => (count as usize).min(MAX_OCCURRENCES),
            _ => MAX_OCCURRENCES,
        };
        let mut dates = Vec::new();
        let mut period = 0i64;
        // Each period (day, week, month or year) yields its dates in order;
        // stop once a whole period lies after the last date.
        while dates.len() < limit {
            let Some(candidates) = self.period_dates(period) else {
                break;
            };
            let Some(first) = candidates
                .first()
                .copied()
                .or_else(|| self.period_anchor(period))
            else {
                break;
            };
            if first > last {
                break;
            }
            for date in candidates {
                if date >= self.start_date && date <= last && dates.len() < limit {
                    dates.push(date);
                }
            }
            period += 1;
            if period > 100_000 {
                break;
            }
        }
        dates
    }

    /// Returns the original start instants of occurrences whose start is
    /// before `window_end`, given the master's first local start time.
    pub fn occurrence_starts(
        &self,
        first_start: DateTime,
        zone: &TimeZone,
        window_end: Timestamp,
    ) -> Vec<Timestamp> {
        let until = zone.to_datetime(window_end).date();
        self.dates(until)
            .into_iter()
            .filter_map(|date| {
                zone.to_ambiguous_timestamp(date.to_datetime(first_start.time()))
                    .compatible()
                    .ok()
            })
            .filter(|start| *start < window_end)
            .collect()
    }

    /// Returns the first day of a period, or `None` when it lies beyond
    /// the dates jiff can represent (a huge `Interval`, for example).
    fn period_anchor(&self, period: i64) -> Option<Date> {
        let start = self.start_date;
        let span = match &self.pattern {
            Pattern::Daily { interval } => {
                Span::new().try_days(period.checked_mul(i64::from(*interval))?)
            }
            Pattern::Weekly { interval, .. } => {
                Span::new().try_weeks(period.checked_mul(i64::from(*interval))?)
            }
            Pattern::AbsoluteMonthly { interval, .. }
            | Pattern::RelativeMonthly { interval, .. } => {
                Span::new().try_months(period.checked_mul(i64::from(*interval))?)
            }
            Pattern::AbsoluteYearly { .. } | Pattern::RelativeYearly { .. } => {
                Span::new().try_years(period)
            }
        }
        .ok()?;
        match &self.pattern {
            Pattern::Daily { .. } | Pattern::Weekly { .. } => start.checked_add(span).ok(),
            _ => start.first_of_month().checked_add(span).ok(),
        }
    }

    fn period_dates(&self, period: i64) -> Option<Vec<Date>> {
        let anchor = self.period_anchor(period)?;
        let dates = match &self.pattern {
            Pattern::Daily { .. } => vec![anchor],
            Pattern::Weekly {
                days,
                first_day_of_week,
                ..
            } => {
                let offset = (anchor.weekday().to_sunday_zero_offset()
                    - weekday_offset(*first_day_of_week)
                    + 7)
                    % 7;
                let week_start = anchor.checked_sub(i64::from(offset).days()).ok()?;
                (0..7)
                    .filter_map(|day| week_start.checked_add(day.days()).ok())
                    .filter(|date| days.iter().any(|wanted| wanted.matches(date.weekday())))
                    .collect()
            }
            Pattern::AbsoluteMonthly { day_of_month, .. } => {
                vec![clamp_day(anchor, *day_of_month)?]
            }
            Pattern::RelativeMonthly { days, index, .. } => {
                relative_day(anchor, *days, *index).into_iter().collect()
            }
            Pattern::AbsoluteYearly {
                day_of_month,
                month,
            } => {
                vec![clamp_day(
                    anchor.with().month(*month).day(1).build().ok()?,
                    *day_of_month,
                )?]
            }
            Pattern::RelativeYearly { days, index, month } => {
                let first = anchor.with().month(*month).day(1).build().ok()?;
                relative_day(first, *days, *index).into_iter().collect()
            }
        };
        Some(dates)
    }
}

fn weekday_offset(day: DayOfWeek) -> i8 {
    match day {
        DayOfWeek::Monday => 1,
        DayOfWeek::Tuesday => 2,
        DayOfWeek::Wednesday => 3,
        DayOfWeek::Thursday => 4,
        DayOfWeek::Friday => 5,
        DayOfWeek::Saturday => 6,
        _ => 0,
    }
}

fn clamp_day(month_start: Date, day: i8) -> Option<Date> {
    let day = day.clamp(1, month_start.days_in_month());
    month_start.with().day(day).build().ok()
}

fn relative_day(month_start: Date, days: DayOfWeek, index: WeekIndex) -> Option<Date> {
    let matching: Vec<Date> = (0..month_start.days_in_month())
        .filter_map(|offset| month_start.checked_add(i64::from(offset).days()).ok())
        .filter(|date| days.matches(date.weekday()))
        .collect();
    match index {
        WeekIndex::First => matching.first().copied(),
        WeekIndex::Second => matching.get(1).copied(),
        WeekIndex::Third => matching.get(2).copied(),
        WeekIndex::Fourth => matching.get(3).copied(),
        WeekIndex::Last => matching.last().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn series(pattern: Pattern, end: RangeEnd) -> Recurrence {
        Recurrence {
            pattern,
            start_date: date(2030, 1, 1),
            end,
        }
    }

    #[test]
    fn daily_by_count() {
        let rule = series(Pattern::Daily { interval: 2 }, RangeEnd::Count(3));
        assert_eq!(
            rule.dates(date(2031, 1, 1)),
            vec![date(2030, 1, 1), date(2030, 1, 3), date(2030, 1, 5)]
        );
    }

    #[test]
    fn weekly_until_end_date() {
        // 2030-01-01 is a Tuesday.
        let pattern = Pattern::Weekly {
            interval: 1,
            days: vec![DayOfWeek::Monday, DayOfWeek::Thursday],
            first_day_of_week: DayOfWeek::Sunday,
        };
        let rule = series(pattern, RangeEnd::EndDate(date(2030, 1, 10)));
        assert_eq!(
            rule.dates(date(2031, 1, 1)),
            vec![date(2030, 1, 3), date(2030, 1, 7), date(2030, 1, 10)]
        );
    }

    #[test]
    fn monthly_clamps_to_short_months() {
        let rule = series(
            Pattern::AbsoluteMonthly {
                interval: 1,
                day_of_month: 31,
            },
            RangeEnd::Count(3),
        );
        assert_eq!(
            rule.dates(date(2031, 1, 1)),
            vec![date(2030, 1, 31), date(2030, 2, 28), date(2030, 3, 31)]
        );
    }

    #[test]
    fn relative_monthly_last_friday() {
        let pattern = Pattern::RelativeMonthly {
            interval: 1,
            days: DayOfWeek::Friday,
            index: WeekIndex::Last,
        };
        let rule = series(pattern, RangeEnd::Count(2));
        assert_eq!(
            rule.dates(date(2031, 1, 1)),
            vec![date(2030, 1, 25), date(2030, 2, 22)]
        );
    }

    #[test]
    fn yearly_without_end_stops_at_until() {
        let rule = series(
            Pattern::AbsoluteYearly {
                day_of_month: 15,
                month: 3,
            },
            RangeEnd::Never,
        );
        assert_eq!(
            rule.dates(date(2032, 3, 14)),
            vec![date(2030, 3, 15), date(2031, 3, 15)]
        );
    }

    #[test]
    fn relative_yearly_first_monday_of_september() {
        let pattern = Pattern::RelativeYearly {
            days: DayOfWeek::Monday,
            index: WeekIndex::First,
            month: 9,
        };
        let rule = series(pattern, RangeEnd::Count(1));
        assert_eq!(rule.dates(date(2040, 1, 1)), vec![date(2030, 9, 2)]);
    }

    #[test]
    fn huge_interval_ends_series() {
        for pattern in [
            Pattern::Daily { interval: u32::MAX },
            Pattern::AbsoluteMonthly {
                interval: u32::MAX,
                day_of_month: 1,
            },
        ] {
            let rule = series(pattern, RangeEnd::Never);
            assert_eq!(rule.dates(date(9999, 1, 1)), vec![date(2030, 1, 1)]);
        }
    }

    #[test]
    fn huge_count_is_capped() {
        let rule = series(Pattern::Daily { interval: 1 }, RangeEnd::Count(u32::MAX));
        assert_eq!(rule.dates(date(9999, 1, 1)).len(), MAX_OCCURRENCES);
    }

    #[test]
    fn occurrences_keep_local_time_across_dst() {
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let rule = Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: vec![DayOfWeek::Friday],
                first_day_of_week: DayOfWeek::Monday,
            },
            start_date: date(2030, 3, 29),
            end: RangeEnd::Count(2),
        };
        // Berlin moves to summer time on 2030-03-31.
        let starts = rule.occurrence_starts(
            date(2030, 3, 29).at(9, 0, 0, 0),
            &zone,
            "2031-01-01T00:00:00Z".parse().unwrap(),
        );
        assert_eq!(starts[0].to_string(), "2030-03-29T08:00:00Z");
        assert_eq!(starts[1].to_string(), "2030-04-05T07:00:00Z");
    }
}
