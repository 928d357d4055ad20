//! Recurrence patterns and ranges of recurring calendar items.

use jiff::civil::Date;

use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

string_enum! {
    /// `t:DayOfWeekType`, including the groups `Day`, `Weekday` and `WeekendDay`.
    pub enum DayOfWeek {
        /// Sunday.
        Sunday = "Sunday",
        /// Monday.
        Monday = "Monday",
        /// Tuesday.
        Tuesday = "Tuesday",
        /// Wednesday.
        Wednesday = "Wednesday",
        /// Thursday.
        Thursday = "Thursday",
        /// Friday.
        Friday = "Friday",
        /// Saturday.
        Saturday = "Saturday",
        /// Any day.
        Day = "Day",
        /// Monday to Friday.
        Weekday = "Weekday",
        /// Saturday or Sunday.
        WeekendDay = "WeekendDay",
    }
}

string_enum! {
    /// `t:DayOfWeekIndexType`: which week of the month.
    pub enum DayOfWeekIndex {
        /// First.
        First = "First",
        /// Second.
        Second = "Second",
        /// Third.
        Third = "Third",
        /// Fourth.
        Fourth = "Fourth",
        /// Last.
        Last = "Last",
    }
}

string_enum! {
    /// `t:MonthNamesType`.
    pub enum Month {
        /// January.
        January = "January",
        /// February.
        February = "February",
        /// March.
        March = "March",
        /// April.
        April = "April",
        /// May.
        May = "May",
        /// June.
        June = "June",
        /// July.
        July = "July",
        /// August.
        August = "August",
        /// September.
        September = "September",
        /// October.
        October = "October",
        /// November.
        November = "November",
        /// December.
        December = "December",
    }
}

/// The pattern half of `t:RecurrenceType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecurrencePattern {
    /// `t:RelativeYearlyRecurrence`: for example the last Friday of March.
    RelativeYearly {
        /// Days of the week.
        days_of_week: Vec<DayOfWeek>,
        /// Week of the month.
        day_of_week_index: DayOfWeekIndex,
        /// Month.
        month: Month,
    },
    /// `t:AbsoluteYearlyRecurrence`: for example 14 March.
    AbsoluteYearly {
        /// Day of the month, 1 to 31.
        day_of_month: u8,
        /// Month.
        month: Month,
    },
    /// `t:RelativeMonthlyRecurrence`: for example the second Tuesday every month.
    RelativeMonthly {
        /// Months between occurrences.
        interval: u32,
        /// Days of the week.
        days_of_week: Vec<DayOfWeek>,
        /// Week of the month.
        day_of_week_index: DayOfWeekIndex,
    },
    /// `t:AbsoluteMonthlyRecurrence`: a day number every `interval` months.
    AbsoluteMonthly {
        /// Months between occurrences.
        interval: u32,
        /// Day of the month, 1 to 31.
        day_of_month: u8,
    },
    /// `t:WeeklyRecurrence`.
    Weekly {
        /// Weeks between occurrences.
        interval: u32,
        /// Days of the week.
        days_of_week: Vec<DayOfWeek>,
        /// First day of the week, when given.
        first_day_of_week: Option<DayOfWeek>,
    },
    /// `t:DailyRecurrence`.
    Daily {
        /// Days between occurrences.
        interval: u32,
    },
}

/// The range half of `t:RecurrenceType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecurrenceRange {
    /// `t:NoEndRecurrence`.
    NoEnd {
        /// First day of the series.
        start_date: Date,
    },
    /// `t:EndDateRecurrence`.
    EndDate {
        /// First day of the series.
        start_date: Date,
        /// Last day of the series.
        end_date: Date,
    },
    /// `t:NumberedRecurrence`.
    Numbered {
        /// First day of the series.
        start_date: Date,
        /// Number of occurrences.
        number_of_occurrences: u32,
    },
}

/// `t:Recurrence`: when a recurring master repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    /// Repetition pattern.
    pub pattern: RecurrencePattern,
    /// Start and end of the series.
    pub range: RecurrenceRange,
}

/// Fields of any pattern or range element, collected before choosing a variant.
#[derive(Default)]
struct Fields {
    interval: Option<u32>,
    days_of_week: Option<Vec<DayOfWeek>>,
    day_of_week_index: Option<DayOfWeekIndex>,
    month: Option<Month>,
    day_of_month: Option<u8>,
    first_day_of_week: Option<DayOfWeek>,
    start_date: Option<Date>,
    end_date: Option<Date>,
    number_of_occurrences: Option<u32>,
}

fn read_fields(reader: &mut XmlReader<'_>) -> Result<Fields, ParseError> {
    let mut fields = Fields::default();
    while let Some(child) = reader.next_child()? {
        if child.ns != Ns::Types {
            reader.skip()?;
            continue;
        }
        match child.name.as_str() {
            "Interval" => fields.interval = Some(reader.read_int()?),
            "DaysOfWeek" => {
                let text = reader.read_text()?;
                let mut days = Vec::new();
                for word in text.split_whitespace() {
                    days.push(reader.parse_value(word)?);
                }
                fields.days_of_week = Some(days);
            }
            "DayOfWeekIndex" => fields.day_of_week_index = Some(reader.read_enum()?),
            "Month" => fields.month = Some(reader.read_enum()?),
            "DayOfMonth" => fields.day_of_month = Some(reader.read_int()?),
            "FirstDayOfWeek" => fields.first_day_of_week = Some(reader.read_enum()?),
            "StartDate" => fields.start_date = Some(read_date(reader)?),
            "EndDate" => fields.end_date = Some(read_date(reader)?),
            "NumberOfOccurrences" => fields.number_of_occurrences = Some(reader.read_int()?),
            _ => reader.skip()?,
        }
    }
    Ok(fields)
}

/// Reads an `xs:date`, which Exchange sends with the zone's offset
/// (`2013-05-19+02:00`); the offset is dropped because the date is already
/// in the item's time zone.
fn read_date(reader: &mut XmlReader<'_>) -> Result<Date, ParseError> {
    let text = reader.read_text()?;
    let trimmed = text.trim();
    let date_part = trimmed.get(..10).unwrap_or(trimmed);
    date_part
        .parse::<Date>()
        .map_err(|error| reader.error(format!("invalid date `{trimmed}`: {error}")))
}

fn missing(reader: &XmlReader<'_>, field: &str) -> ParseError {
    reader.error(format!("recurrence is missing `{field}`"))
}

impl ReadXml for Recurrence {
    fn read_xml(reader: &mut XmlReader<'_>, _start: &Element) -> Result<Self, ParseError> {
        let mut pattern = None;
        let mut range = None;
        while let Some(child) = reader.next_child()? {
            if child.ns != Ns::Types {
                reader.skip()?;
                continue;
            }
            let name = child.name.clone();
            let fields = read_fields(reader)?;
            match name.as_str() {
                "RelativeYearlyRecurrence" => {
                    pattern = Some(RecurrencePattern::RelativeYearly {
                        days_of_week: fields
                            .days_of_week
                            .ok_or_else(|| missing(reader, "DaysOfWeek"))?,
                        day_of_week_index: fields
                            .day_of_week_index
                            .ok_or_else(|| missing(reader, "DayOfWeekIndex"))?,
                        month: fields.month.ok_or_else(|| missing(reader, "Month"))?,
                    });
                }
                "AbsoluteYearlyRecurrence" => {
                    pattern = Some(RecurrencePattern::AbsoluteYearly {
                        day_of_month: fields
                            .day_of_month
                            .ok_or_else(|| missing(reader, "DayOfMonth"))?,
                        month: fields.month.ok_or_else(|| missing(reader, "Month"))?,
                    });
                }
                "RelativeMonthlyRecurrence" => {
                    pattern = Some(RecurrencePattern::RelativeMonthly {
                        interval: fields.interval.ok_or_else(|| missing(reader, "Interval"))?,
                        days_of_week: fields
                            .days_of_week
                            .ok_or_else(|| missing(reader, "DaysOfWeek"))?,
                        day_of_week_index: fields
                            .day_of_week_index
                            .ok_or_else(|| missing(reader, "DayOfWeekIndex"))?,
                    });
                }
                "AbsoluteMonthlyRecurrence" => {
                    pattern = Some(RecurrencePattern::AbsoluteMonthly {
                        interval: fields.interval.ok_or_else(|| missing(reader, "Interval"))?,
                        day_of_month: fields
                            .day_of_month
                            .ok_or_else(|| missing(reader, "DayOfMonth"))?,
                    });
                }
                "WeeklyRecurrence" => {
                    pattern = Some(RecurrencePattern::Weekly {
                        interval: fields.interval.ok_or_else(|| missing(reader, "Interval"))?,
                        days_of_week: fields
                            .days_of_week
                            .ok_or_else(|| missing(reader, "DaysOfWeek"))?,
                        first_day_of_week: fields.first_day_of_week,
                    });
                }
                "DailyRecurrence" => {
                    pattern = Some(RecurrencePattern::Daily {
                        interval: fields.interval.ok_or_else(|| missing(reader, "Interval"))?,
                    });
                }
                "NoEndRecurrence" => {
                    range = Some(RecurrenceRange::NoEnd {
                        start_date: fields
                            .start_date
                            .ok_or_else(|| missing(reader, "StartDate"))?,
                    });
                }
                "EndDateRecurrence" => {
                    range = Some(RecurrenceRange::EndDate {
                        start_date: fields
                            .start_date
                            .ok_or_else(|| missing(reader, "StartDate"))?,
                        end_date: fields.end_date.ok_or_else(|| missing(reader, "EndDate"))?,
                    });
                }
                "NumberedRecurrence" => {
                    range = Some(RecurrenceRange::Numbered {
                        start_date: fields
                            .start_date
                            .ok_or_else(|| missing(reader, "StartDate"))?,
                        number_of_occurrences: fields
                            .number_of_occurrences
                            .ok_or_else(|| missing(reader, "NumberOfOccurrences"))?,
                    });
                }
                // NOTE: task regeneration patterns never appear on calendar
                // items; they are ignored with any other unknown child.
                _ => {}
            }
        }
        Ok(Recurrence {
            pattern: pattern.ok_or_else(|| missing(reader, "a recurrence pattern"))?,
            range: range.ok_or_else(|| missing(reader, "a recurrence range"))?,
        })
    }
}

fn days_text(days: &[DayOfWeek]) -> String {
    let names: Vec<&str> = days.iter().map(|day| day.as_str()).collect();
    names.join(" ")
}

impl WriteXml for Recurrence {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[]);
        match &self.pattern {
            RecurrencePattern::RelativeYearly {
                days_of_week,
                day_of_week_index,
                month,
            } => {
                writer.start("t:RelativeYearlyRecurrence", &[]);
                writer.text_element("t:DaysOfWeek", &days_text(days_of_week));
                writer.text_element("t:DayOfWeekIndex", day_of_week_index.as_str());
                writer.text_element("t:Month", month.as_str());
                writer.end("t:RelativeYearlyRecurrence");
            }
            RecurrencePattern::AbsoluteYearly {
                day_of_month,
                month,
            } => {
                writer.start("t:AbsoluteYearlyRecurrence", &[]);
                writer.text_element("t:DayOfMonth", &day_of_month.to_string());
                writer.text_element("t:Month", month.as_str());
                writer.end("t:AbsoluteYearlyRecurrence");
            }
            RecurrencePattern::RelativeMonthly {
                interval,
                days_of_week,
                day_of_week_index,
            } => {
                writer.start("t:RelativeMonthlyRecurrence", &[]);
                writer.text_element("t:Interval", &interval.to_string());
                writer.text_element("t:DaysOfWeek", &days_text(days_of_week));
                writer.text_element("t:DayOfWeekIndex", day_of_week_index.as_str());
                writer.end("t:RelativeMonthlyRecurrence");
            }
            RecurrencePattern::AbsoluteMonthly {
                interval,
                day_of_month,
            } => {
                writer.start("t:AbsoluteMonthlyRecurrence", &[]);
                writer.text_element("t:Interval", &interval.to_string());
                writer.text_element("t:DayOfMonth", &day_of_month.to_string());
                writer.end("t:AbsoluteMonthlyRecurrence");
            }
            RecurrencePattern::Weekly {
                interval,
                days_of_week,
                first_day_of_week,
            } => {
                writer.start("t:WeeklyRecurrence", &[]);
                writer.text_element("t:Interval", &interval.to_string());
                writer.text_element("t:DaysOfWeek", &days_text(days_of_week));
                writer.opt_element("t:FirstDayOfWeek", *first_day_of_week);
                writer.end("t:WeeklyRecurrence");
            }
            RecurrencePattern::Daily { interval } => {
                writer.start("t:DailyRecurrence", &[]);
                writer.text_element("t:Interval", &interval.to_string());
                writer.end("t:DailyRecurrence");
            }
        }
        match &self.range {
            RecurrenceRange::NoEnd { start_date } => {
                writer.start("t:NoEndRecurrence", &[]);
                writer.text_element("t:StartDate", &start_date.to_string());
                writer.end("t:NoEndRecurrence");
            }
            RecurrenceRange::EndDate {
                start_date,
                end_date,
            } => {
                writer.start("t:EndDateRecurrence", &[]);
                writer.text_element("t:StartDate", &start_date.to_string());
                writer.text_element("t:EndDate", &end_date.to_string());
                writer.end("t:EndDateRecurrence");
            }
            RecurrenceRange::Numbered {
                start_date,
                number_of_occurrences,
            } => {
                writer.start("t:NumberedRecurrence", &[]);
                writer.text_element("t:StartDate", &start_date.to_string());
                writer.text_element("t:NumberOfOccurrences", &number_of_occurrences.to_string());
                writer.end("t:NumberedRecurrence");
            }
        }
        writer.end(name);
    }
}
