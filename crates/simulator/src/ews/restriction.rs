//! Evaluates FindItem restrictions (SearchExpression trees) against items.

use jiff::Timestamp;

use crate::calendar;
use crate::ews::Context;
use crate::ews::errors::EwsError;
use crate::ews::item_write::{field_map, same_property};
use crate::model::Item;
use crate::xml::Element;

#[derive(Debug, PartialEq, PartialOrd)]
enum Value {
    Time(Timestamp),
    Text(String),
    Bool(bool),
}

/// Returns whether `item` matches the search expression `expression`.
pub(crate) fn matches(
    context: &Context<'_>,
    expression: &Element,
    item: &Item,
) -> Result<bool, EwsError> {
    let name = expression.name.as_str();
    match name {
        "And" => {
            for child in &expression.children {
                if !matches(context, child, item)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        "Or" => {
            for child in &expression.children {
                if matches(context, child, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        "Not" => {
            let child = expression
                .children
                .first()
                .ok_or_else(|| EwsError::schema_validation("Not has no expression"))?;
            Ok(!matches(context, child, item)?)
        }
        "Exists" => {
            let path = path_of(expression)?;
            Ok(field_value(path, item)?.is_some())
        }
        "Contains" => {
            let path = path_of(expression)?;
            let constant = expression
                .child("Constant")
                .and_then(|c| c.attribute("Value"))
                .unwrap_or_default();
            let ignore_case = expression
                .attribute("ContainmentComparison")
                .is_some_and(|c| c.contains("IgnoreCase"));
            let mode = expression
                .attribute("ContainmentMode")
                .unwrap_or("Substring");
            let Some(Value::Text(text)) = field_value(path, item)? else {
                return Ok(false);
            };
            let (text, constant) = if ignore_case {
                (text.to_lowercase(), constant.to_lowercase())
            } else {
                (text, constant.to_string())
            };
            Ok(match mode {
                "FullString" => text == constant,
                "Prefixed" => text.starts_with(&constant),
                _ => text.contains(&constant),
            })
        }
        "IsEqualTo"
        | "IsNotEqualTo"
        | "IsGreaterThan"
        | "IsGreaterThanOrEqualTo"
        | "IsLessThan"
        | "IsLessThanOrEqualTo" => {
            let path = path_of(expression)?;
            let constant = expression
                .path(&["FieldURIOrConstant", "Constant"])
                .and_then(|constant| constant.attribute("Value"))
                .ok_or_else(|| {
                    EwsError::schema_validation(&format!(
                        "{name} has no FieldURIOrConstant/Constant"
                    ))
                })?;
            let Some(value) = field_value(path, item)? else {
                return Ok(name == "IsNotEqualTo");
            };
            let other = coerce(context, &value, constant)?;
            let ordering = value.partial_cmp(&other);
            Ok(match name {
                "IsEqualTo" => value == other,
                "IsNotEqualTo" => value != other,
                "IsGreaterThan" => ordering == Some(std::cmp::Ordering::Greater),
                "IsGreaterThanOrEqualTo" => matches!(
                    ordering,
                    Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
                ),
                "IsLessThan" => ordering == Some(std::cmp::Ordering::Less),
                _ => matches!(
                    ordering,
                    Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
                ),
            })
        }
        other => Err(EwsError::invalid_request(&format!(
            "The search expression `{other}` is not supported."
        ))),
    }
}

fn path_of(expression: &Element) -> Result<&Element, EwsError> {
    expression
        .children
        .iter()
        .find(|child| {
            matches!(
                child.name.as_str(),
                "FieldURI" | "ExtendedFieldURI" | "IndexedFieldURI"
            )
        })
        .ok_or_else(|| {
            EwsError::schema_validation(&format!("{} names no property path", expression.name))
        })
}

fn coerce(context: &Context<'_>, like: &Value, constant: &str) -> Result<Value, EwsError> {
    Ok(match like {
        Value::Time(_) => Value::Time(context.parse_time(constant)?),
        Value::Bool(_) => Value::Bool(matches!(constant, "true" | "1")),
        Value::Text(_) => Value::Text(constant.to_string()),
    })
}

fn field_value(path: &Element, item: &Item) -> Result<Option<Value>, EwsError> {
    if path.name == "ExtendedFieldURI" {
        let wanted = field_map(path);
        let found = item
            .extended
            .iter()
            .find(|property| same_property(&property.field, &wanted));
        return Ok(found.map(|property| Value::Text(property.value.clone())));
    }
    let uri = path.attribute("FieldURI").unwrap_or_default();
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
