//! `m:Restriction` search expressions for FindItem.

use crate::types::PropertyPath;
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter, string_enum};

string_enum! {
    /// The comparison of a two-operand search expression.
    pub enum Comparison {
        /// `t:IsEqualTo`.
        IsEqualTo = "IsEqualTo",
        /// `t:IsNotEqualTo`.
        IsNotEqualTo = "IsNotEqualTo",
        /// `t:IsGreaterThan`.
        IsGreaterThan = "IsGreaterThan",
        /// `t:IsGreaterThanOrEqualTo`.
        IsGreaterThanOrEqualTo = "IsGreaterThanOrEqualTo",
        /// `t:IsLessThan`.
        IsLessThan = "IsLessThan",
        /// `t:IsLessThanOrEqualTo`.
        IsLessThanOrEqualTo = "IsLessThanOrEqualTo",
    }
}

/// `t:FieldURIOrConstant`: the right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// `t:Constant Value="..."`, in the wire form of the property's type
    /// (dates as `xs:dateTime` with offset).
    Constant(String),
    /// Another property.
    Path(PropertyPath),
}

/// A member of the `t:SearchExpression` substitution group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchExpression {
    /// Compares a property with a constant or another property.
    Compare {
        /// The comparison.
        comparison: Comparison,
        /// Left-hand property.
        path: PropertyPath,
        /// Right-hand side.
        operand: Operand,
    },
    /// `t:Exists`: the property is set.
    Exists(PropertyPath),
    /// `t:And`.
    And(Vec<SearchExpression>),
    /// `t:Or`.
    Or(Vec<SearchExpression>),
    /// `t:Not`.
    Not(Box<SearchExpression>),
}

impl SearchExpression {
    /// Creates a comparison with a constant value.
    pub fn compare(
        comparison: Comparison,
        path: PropertyPath,
        value: impl Into<String>,
    ) -> SearchExpression {
        SearchExpression::Compare {
            comparison,
            path,
            operand: Operand::Constant(value.into()),
        }
    }

    /// Reads one expression element, or returns `None` for another element.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the expression is incomplete.
    pub fn read_if(
        reader: &mut XmlReader<'_>,
        start: &Element,
    ) -> Result<Option<SearchExpression>, ParseError> {
        if start.ns != Ns::Types {
            return Ok(None);
        }
        if let Some(comparison) = Comparison::from_wire(&start.name) {
            return Ok(Some(read_comparison(reader, comparison)?));
        }
        let expression = match start.name.as_str() {
            "Exists" => {
                let mut path = None;
                while let Some(child) = reader.next_child()? {
                    match PropertyPath::read_if(reader, &child)? {
                        Some(found) => path = Some(found),
                        None => reader.skip()?,
                    }
                }
                SearchExpression::Exists(
                    path.ok_or_else(|| reader.error("`Exists` has no property path"))?,
                )
            }
            "And" => SearchExpression::And(read_expressions(reader)?),
            "Or" => SearchExpression::Or(read_expressions(reader)?),
            "Not" => {
                let mut inner = read_expressions(reader)?;
                if inner.len() != 1 {
                    return Err(reader.error(format!(
                        "`Not` must hold exactly one expression, but holds {}",
                        inner.len()
                    )));
                }
                SearchExpression::Not(Box::new(inner.remove(0)))
            }
            _ => return Ok(None),
        };
        Ok(Some(expression))
    }

    /// Writes the expression.
    pub fn write(&self, writer: &mut XmlWriter) {
        match self {
            SearchExpression::Compare {
                comparison,
                path,
                operand,
            } => {
                let name = format!("t:{}", comparison.as_str());
                writer.start(&name, &[]);
                path.write(writer);
                writer.start("t:FieldURIOrConstant", &[]);
                match operand {
                    Operand::Constant(value) => writer.empty("t:Constant", &[("Value", value)]),
                    Operand::Path(other) => other.write(writer),
                }
                writer.end("t:FieldURIOrConstant");
                writer.end(&name);
            }
            SearchExpression::Exists(path) => {
                writer.start("t:Exists", &[]);
                path.write(writer);
                writer.end("t:Exists");
            }
            SearchExpression::And(inner) => write_group(writer, "t:And", inner),
            SearchExpression::Or(inner) => write_group(writer, "t:Or", inner),
            SearchExpression::Not(inner) => {
                writer.start("t:Not", &[]);
                inner.write(writer);
                writer.end("t:Not");
            }
        }
    }
}

fn write_group(writer: &mut XmlWriter, name: &str, inner: &[SearchExpression]) {
    writer.start(name, &[]);
    for expression in inner {
        expression.write(writer);
    }
    writer.end(name);
}

fn read_comparison(
    reader: &mut XmlReader<'_>,
    comparison: Comparison,
) -> Result<SearchExpression, ParseError> {
    let mut path = None;
    let mut operand = None;
    while let Some(child) = reader.next_child()? {
        if child.is(Ns::Types, "FieldURIOrConstant") {
            while let Some(value) = reader.next_child()? {
                if value.is(Ns::Types, "Constant") {
                    let constant = value.required_attr(reader, "Value")?.to_owned();
                    reader.skip()?;
                    operand = Some(Operand::Constant(constant));
                } else if let Some(other) = PropertyPath::read_if(reader, &value)? {
                    operand = Some(Operand::Path(other));
                } else {
                    reader.skip()?;
                }
            }
            continue;
        }
        match PropertyPath::read_if(reader, &child)? {
            Some(found) => path = Some(found),
            None => reader.skip()?,
        }
    }
    let name = comparison.as_str();
    Ok(SearchExpression::Compare {
        comparison,
        path: path.ok_or_else(|| reader.error(format!("`{name}` has no property path")))?,
        operand: operand
            .ok_or_else(|| reader.error(format!("`{name}` has no `FieldURIOrConstant`")))?,
    })
}

fn read_expressions(reader: &mut XmlReader<'_>) -> Result<Vec<SearchExpression>, ParseError> {
    let mut expressions = Vec::new();
    while let Some(child) = reader.next_child()? {
        match SearchExpression::read_if(reader, &child)? {
            Some(expression) => expressions.push(expression),
            None => reader.skip()?,
        }
    }
    Ok(expressions)
}

/// Reads `m:Restriction`, which contains one expression.
pub(crate) fn read_restriction(reader: &mut XmlReader<'_>) -> Result<SearchExpression, ParseError> {
    let mut expressions = read_expressions(reader)?;
    if expressions.len() != 1 {
        return Err(reader.error(format!(
            "`Restriction` must hold exactly one expression, but holds {}",
            expressions.len()
        )));
    }
    Ok(expressions.remove(0))
}
