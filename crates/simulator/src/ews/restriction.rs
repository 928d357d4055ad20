//! Evaluates FindItem restrictions (SearchExpression trees) against items.

use jiff::Timestamp;
use roombridge_ews::operations::{Comparison, Operand, SearchExpression};
use roombridge_ews::types::PropertyPath;

use crate::calendar;
use crate::ews::Context;
use crate::ews::convert::find_extended;
use crate::ews::errors::EwsError;
use crate::model::Item;

#[derive(Debug, PartialEq, PartialOrd)]
enum Value {
    Time(Timestamp),
    Text(String),
    Bool(bool),
}

/// Returns whether `item` matches `expression`.
pub(crate) fn matches(
    context: &Context<'_>,
    expression: &SearchExpression,
    item: &Item,
) -> Result<bool, EwsError> {
    match expression {
        SearchExpression::And(children) => {
            for child in children {
                if !matches(context, child, item)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        SearchExpression::Or(children) => {
            for child in children {
                if matches(context, child, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        SearchExpression::Not(child) => Ok(!matches(context, child, item)?),
        SearchExpression::Exists(path) => Ok(field_value(path, item)?.is_some()),
        SearchExpression::Compare {
            comparison,
            path,
            operand,
        } => {
            let Some(value) = field_value(path, item)? else {
                return Ok(*comparison == Comparison::IsNotEqualTo);
            };
            let other = match operand {
                Operand::Constant(constant) => coerce(context, &value, constant)?,
                Operand::Path(other) => match field_value(other, item)? {
                    Some(other) => other,
                    None => return Ok(*comparison == Comparison::IsNotEqualTo),
                },
            };
            let ordering = value.partial_cmp(&other);
            use std::cmp::Ordering::{Equal, Greater, Less};
            Ok(match comparison {
                Comparison::IsEqualTo => value == other,
                Comparison::IsNotEqualTo => value != other,
                Comparison::IsGreaterThan => ordering == Some(Greater),
                Comparison::IsGreaterThanOrEqualTo => matches!(ordering, Some(Greater | Equal)),
                Comparison::IsLessThan => ordering == Some(Less),
                Comparison::IsLessThanOrEqualTo => matches!(ordering, Some(Less | Equal)),
            })
        }
    }
}

fn coerce(context: &Context<'_>, like: &Value, constant: &str) -> Result<Value, EwsError> {
    Ok(match like {
        Value::Time(_) => Value::Time(context.parse_time(constant)?),
        Value::Bool(_) => Value::Bool(matches!(constant.trim(), "true" | "1")),
        Value::Text(_) => Value::Text(constant.to_string()),
    })
}

fn field_value(path: &PropertyPath, item: &Item) -> Result<Option<Value>, EwsError> {
    let uri = match path {
        PropertyPath::ExtendedFieldUri(uri) => {
            return Ok(find_extended(item, uri).map(|property| Value::Text(property.value.clone())));
        }
        PropertyPath::FieldUri(uri) => uri.as_str(),
        PropertyPath::IndexedFieldUri { field_uri, .. } => {
            return Err(EwsError::invalid_request(&format!(
                "The property `{field_uri}` cannot be used in a restriction."
            )));
        }
    };
    let calendar = item.calendar.as_ref();
    let value = match uri {
        "item:LastModifiedTime" => Some(Value::Time(item.modified)),
        "item:DateTimeReceived" => Some(Value::Time(item.received)),
        "item:DateTimeCreated" | "item:DateTimeSent" => Some(Value::Time(item.created)),
        "item:Subject" => Some(Value::Text(item.subject.clone())),
        "item:ItemClass" => Some(Value::Text(item.kind.item_class().to_string())),
        "item:Categories" => item
            .categories
            .first()
            .map(|category| Value::Text(category.clone())),
        "calendar:Start" => calendar.map(|c| Value::Time(c.start)),
        "calendar:End" => calendar.map(|c| Value::Time(c.end)),
        "calendar:UID" => calendar.map(|c| Value::Text(c.uid.clone())),
        "calendar:Location" => calendar.map(|c| Value::Text(c.location.clone())),
        "calendar:IsCancelled" => calendar.map(|c| Value::Bool(c.is_cancelled)),
        "calendar:IsMeeting" => calendar.map(|c| Value::Bool(c.is_meeting)),
        "calendar:IsRecurring" => calendar.map(|c| Value::Bool(c.recurrence.is_some())),
        "calendar:MyResponseType" => {
            calendar.map(|c| Value::Text(c.my_response.as_str().to_string()))
        }
        "calendar:CalendarItemType" => {
            calendar.map(|_| Value::Text(calendar::instance_type(item).as_str().to_string()))
        }
        "calendar:Organizer" => calendar.map(|c| Value::Text(c.organizer.address.clone())),
        other => {
            return Err(EwsError::invalid_request(&format!(
                "The property `{other}` cannot be used in a restriction."
            )));
        }
    };
    Ok(value)
}
