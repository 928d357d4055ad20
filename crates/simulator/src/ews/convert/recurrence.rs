//! Recurrence patterns and ranges between the model and `t:Recurrence`.

use roombridge_ews::types as wire;

use crate::ews::errors::EwsError;
use crate::recurrence::{DayOfWeek, Pattern, RangeEnd, Recurrence, WeekIndex};

fn day_to_wire(day: DayOfWeek) -> wire::DayOfWeek {
    wire::DayOfWeek::from_wire(day.as_str()).expect("both enumerations spell DayOfWeekType")
}

fn day_from_wire(day: wire::DayOfWeek) -> DayOfWeek {
    DayOfWeek::parse(day.as_str()).unwrap_or(DayOfWeek::Day)
}

fn index_to_wire(index: WeekIndex) -> wire::DayOfWeekIndex {
    wire::DayOfWeekIndex::from_wire(index.as_str())
        .expect("both enumerations spell DayOfWeekIndexType")
}

fn month_to_wire(month: i8) -> wire::Month {
    let name = crate::ews::MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("January");
    wire::Month::from_wire(name).expect("month names match MonthNamesType")
}

fn month_from_wire(month: wire::Month) -> i8 {
    crate::ews::MONTHS
        .iter()
        .position(|name| *name == month.as_str())
        .map_or(1, |index| index as i8 + 1)
}

/// Converts a stored recurrence to `t:Recurrence`.
pub(crate) fn recurrence_to_wire(recurrence: &Recurrence) -> wire::Recurrence {
    let pattern = match &recurrence.pattern {
        Pattern::Daily { interval } => wire::RecurrencePattern::Daily {
            interval: *interval,
        },
        Pattern::Weekly {
            interval,
            days,
            first_day_of_week,
        } => wire::RecurrencePattern::Weekly {
            interval: *interval,
            days_of_week: days.iter().copied().map(day_to_wire).collect(),
            first_day_of_week: Some(day_to_wire(*first_day_of_week)),
        },
        Pattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => wire::RecurrencePattern::AbsoluteMonthly {
            interval: *interval,
            day_of_month: *day_of_month as u8,
        },
        Pattern::RelativeMonthly {
            interval,
            days,
            index,
        } => wire::RecurrencePattern::RelativeMonthly {
            interval: *interval,
            days_of_week: vec![day_to_wire(*days)],
            day_of_week_index: index_to_wire(*index),
        },
        Pattern::AbsoluteYearly {
            day_of_month,
            month,
        } => wire::RecurrencePattern::AbsoluteYearly {
            day_of_month: *day_of_month as u8,
            month: month_to_wire(*month),
        },
        Pattern::RelativeYearly { days, index, month } => wire::RecurrencePattern::RelativeYearly {
            days_of_week: vec![day_to_wire(*days)],
            day_of_week_index: index_to_wire(*index),
            month: month_to_wire(*month),
        },
    };
    let start_date = recurrence.start_date;
    let range = match recurrence.end {
        RangeEnd::Never => wire::RecurrenceRange::NoEnd { start_date },
        RangeEnd::EndDate(end_date) => wire::RecurrenceRange::EndDate {
            start_date,
            end_date,
        },
        RangeEnd::Count(number_of_occurrences) => wire::RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences,
        },
    };
    wire::Recurrence { pattern, range }
}

/// Converts `t:Recurrence` from a request.
pub(crate) fn recurrence_from_wire(recurrence: &wire::Recurrence) -> Result<Recurrence, EwsError> {
    let single = |days: &[wire::DayOfWeek]| {
        days.first()
            .copied()
            .map(day_from_wire)
            .ok_or_else(|| EwsError::schema_validation("DaysOfWeek is empty"))
    };
    let index = |index: wire::DayOfWeekIndex| {
        WeekIndex::parse(index.as_str())
            .ok_or_else(|| EwsError::schema_validation("invalid DayOfWeekIndex"))
    };
    let pattern = match &recurrence.pattern {
        wire::RecurrencePattern::Daily { interval } => Pattern::Daily {
            interval: *interval,
        },
        wire::RecurrencePattern::Weekly {
            interval,
            days_of_week,
            first_day_of_week,
        } => Pattern::Weekly {
            interval: *interval,
            days: days_of_week.iter().copied().map(day_from_wire).collect(),
            first_day_of_week: first_day_of_week.map_or(DayOfWeek::Sunday, day_from_wire),
        },
        wire::RecurrencePattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => Pattern::AbsoluteMonthly {
            interval: *interval,
            day_of_month: *day_of_month as i8,
        },
        wire::RecurrencePattern::RelativeMonthly {
            interval,
            days_of_week,
            day_of_week_index,
        } => Pattern::RelativeMonthly {
            interval: *interval,
            days: single(days_of_week)?,
            index: index(*day_of_week_index)?,
        },
        wire::RecurrencePattern::AbsoluteYearly {
            day_of_month,
            month,
        } => Pattern::AbsoluteYearly {
            day_of_month: *day_of_month as i8,
            month: month_from_wire(*month),
        },
        wire::RecurrencePattern::RelativeYearly {
            days_of_week,
            day_of_week_index,
            month,
        } => Pattern::RelativeYearly {
            days: single(days_of_week)?,
            index: index(*day_of_week_index)?,
            month: month_from_wire(*month),
        },
    };
    // With an interval of 0 every period repeats the first date.
    if let Pattern::Daily { interval: 0 }
    | Pattern::Weekly { interval: 0, .. }
    | Pattern::AbsoluteMonthly { interval: 0, .. }
    | Pattern::RelativeMonthly { interval: 0, .. } = pattern
    {
        return Err(EwsError::schema_validation("Interval must be at least 1"));
    }
    if let Pattern::Weekly { days, .. } = &pattern
        && days.is_empty()
    {
        return Err(EwsError::schema_validation(
            "WeeklyRecurrence needs at least one day in DaysOfWeek",
        ));
    }
    let (start_date, end) = match recurrence.range {
        wire::RecurrenceRange::NoEnd { start_date } => (start_date, RangeEnd::Never),
        wire::RecurrenceRange::EndDate {
            start_date,
            end_date,
        } => (start_date, RangeEnd::EndDate(end_date)),
        wire::RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences,
        } => (start_date, RangeEnd::Count(number_of_occurrences)),
    };
    Ok(Recurrence {
        pattern,
        start_date,
        end,
    })
}
