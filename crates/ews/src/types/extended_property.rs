//! Extended (MAPI) properties and the path that names them.

use crate::xml::{Element, Ns, ParseError, ReadXml, WriteXml, XmlReader, XmlWriter, string_enum};

string_enum! {
    /// `t:DistinguishedPropertySetType`: well-known MAPI property sets.
    pub enum DistinguishedPropertySetId {
        /// PSETID_Meeting.
        Meeting = "Meeting",
        /// PSETID_Appointment.
        Appointment = "Appointment",
        /// PSETID_Common.
        Common = "Common",
        /// PS_PUBLIC_STRINGS, the usual set for an application's own
        /// named properties.
        PublicStrings = "PublicStrings",
        /// PSETID_Address.
        Address = "Address",
        /// PS_INTERNET_HEADERS.
        InternetHeaders = "InternetHeaders",
        /// PSETID_CalendarAssistant.
        CalendarAssistant = "CalendarAssistant",
        /// PSETID_UnifiedMessaging.
        UnifiedMessaging = "UnifiedMessaging",
        /// PSETID_Task.
        Task = "Task",
        /// PSETID_Sharing.
        Sharing = "Sharing",
    }
}

string_enum! {
    /// `t:MapiPropertyTypeType`: the MAPI type of an extended property.
    pub enum MapiPropertyType {
        /// PT_APPTIME.
        ApplicationTime = "ApplicationTime",
        /// Array of PT_APPTIME.
        ApplicationTimeArray = "ApplicationTimeArray",
        /// PT_BINARY, base64 on the wire.
        Binary = "Binary",
        /// Array of PT_BINARY.
        BinaryArray = "BinaryArray",
        /// PT_BOOLEAN.
        Boolean = "Boolean",
        /// PT_CLSID.
        Clsid = "CLSID",
        /// Array of PT_CLSID.
        ClsidArray = "CLSIDArray",
        /// PT_CURRENCY.
        Currency = "Currency",
        /// Array of PT_CURRENCY.
        CurrencyArray = "CurrencyArray",
        /// PT_DOUBLE.
        Double = "Double",
        /// Array of PT_DOUBLE.
        DoubleArray = "DoubleArray",
        /// PT_ERROR.
        Error = "Error",
        /// PT_FLOAT.
        Float = "Float",
        /// Array of PT_FLOAT.
        FloatArray = "FloatArray",
        /// PT_LONG (32 bits).
        Integer = "Integer",
        /// Array of PT_LONG.
        IntegerArray = "IntegerArray",
        /// PT_I8 (64 bits).
        Long = "Long",
        /// Array of PT_I8.
        LongArray = "LongArray",
        /// PT_NULL.
        Null = "Null",
        /// PT_OBJECT.
        Object = "Object",
        /// Array of PT_OBJECT.
        ObjectArray = "ObjectArray",
        /// PT_SHORT.
        Short = "Short",
        /// Array of PT_SHORT.
        ShortArray = "ShortArray",
        /// PT_SYSTIME.
        SystemTime = "SystemTime",
        /// Array of PT_SYSTIME.
        SystemTimeArray = "SystemTimeArray",
        /// PT_UNICODE.
        String = "String",
        /// Array of PT_UNICODE.
        StringArray = "StringArray",
    }
}

/// `t:ExtendedFieldURI`: names a MAPI property, either by tag or as a named
/// property in a property set (by name or by numeric id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExtendedFieldUri {
    /// Well-known property set of a named property.
    pub distinguished_property_set_id: Option<DistinguishedPropertySetId>,
    /// GUID of a property set, when not a distinguished one.
    pub property_set_id: Option<String>,
    /// Property tag such as `0x0E07`, for a tagged property.
    pub property_tag: Option<String>,
    /// Name of a named property.
    pub property_name: Option<String>,
    /// Numeric id of a named property.
    pub property_id: Option<i32>,
    /// MAPI type of the value.
    pub property_type: MapiPropertyType,
}

impl ExtendedFieldUri {
    /// Creates a string-named property in a distinguished property set.
    pub fn named(
        set: DistinguishedPropertySetId,
        name: impl Into<String>,
        property_type: MapiPropertyType,
    ) -> ExtendedFieldUri {
        ExtendedFieldUri {
            distinguished_property_set_id: Some(set),
            property_set_id: None,
            property_tag: None,
            property_name: Some(name.into()),
            property_id: None,
            property_type,
        }
    }

    /// Creates a string-named property in the property set with this GUID.
    pub fn named_in_set(
        set_guid: impl Into<String>,
        name: impl Into<String>,
        property_type: MapiPropertyType,
    ) -> ExtendedFieldUri {
        ExtendedFieldUri {
            distinguished_property_set_id: None,
            property_set_id: Some(set_guid.into()),
            property_tag: None,
            property_name: Some(name.into()),
            property_id: None,
            property_type,
        }
    }

    /// Returns true when both name the same property, comparing the GUID
    /// without regard to case.
    pub fn same_property(&self, other: &ExtendedFieldUri) -> bool {
        let same_set = match (&self.property_set_id, &other.property_set_id) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        };
        let same_tag = match (&self.property_tag, &other.property_tag) {
            (Some(a), Some(b)) => parse_tag(a) == parse_tag(b),
            (None, None) => true,
            _ => false,
        };
        same_set
            && same_tag
            && self.distinguished_property_set_id == other.distinguished_property_set_id
            && self.property_name == other.property_name
            && self.property_id == other.property_id
    }
}

fn parse_tag(tag: &str) -> Option<u32> {
    let trimmed = tag.trim();
    match trimmed
        .strip_prefix("0x")
        .or_else(|| trimmed.strip_prefix("0X"))
    {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => trimmed.parse().ok(),
    }
}

impl ReadXml for ExtendedFieldUri {
    fn read_xml(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        let property_type = reader.parse_value(start.required_attr(reader, "PropertyType")?)?;
        let property_id = match start.attr("PropertyId") {
            Some(raw) => Some(raw.trim().parse().map_err(|_| {
                reader.error(format!("invalid `PropertyId` `{raw}`, expected an integer"))
            })?),
            None => None,
        };
        let uri = ExtendedFieldUri {
            distinguished_property_set_id: start.enum_attr(reader, "DistinguishedPropertySetId")?,
            property_set_id: start.attr("PropertySetId").map(str::to_owned),
            property_tag: start.attr("PropertyTag").map(str::to_owned),
            property_name: start.attr("PropertyName").map(str::to_owned),
            property_id,
            property_type,
        };
        reader.skip()?;
        Ok(uri)
    }
}

impl WriteXml for ExtendedFieldUri {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        let property_id = self.property_id.map(|id| id.to_string());
        writer.empty_opt(
            name,
            &[
                (
                    "DistinguishedPropertySetId",
                    self.distinguished_property_set_id.map(|set| set.as_str()),
                ),
                ("PropertySetId", self.property_set_id.as_deref()),
                ("PropertyTag", self.property_tag.as_deref()),
                ("PropertyName", self.property_name.as_deref()),
                ("PropertyId", property_id.as_deref()),
                ("PropertyType", Some(self.property_type.as_str())),
            ],
        );
    }
}

/// Value of an extended property: one value, or several for array types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtendedValue {
    /// `t:Value`.
    Single(String),
    /// `t:Values` with one `t:Value` per element.
    Multiple(Vec<String>),
}

/// `t:ExtendedProperty`: a MAPI property and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedProperty {
    /// The property.
    pub field_uri: ExtendedFieldUri,
    /// Its value in the wire form of its MAPI type.
    pub value: ExtendedValue,
}

impl ExtendedProperty {
    /// Returns the single value, if this property has one.
    pub fn single_value(&self) -> Option<&str> {
        match &self.value {
            ExtendedValue::Single(value) => Some(value),
            ExtendedValue::Multiple(_) => None,
        }
    }
}

impl ReadXml for ExtendedProperty {
    fn read_xml(reader: &mut XmlReader<'_>, _start: &Element) -> Result<Self, ParseError> {
        let mut field_uri = None;
        let mut value = None;
        while let Some(child) = reader.next_child()? {
            if child.ns != Ns::Types {
                reader.skip()?;
                continue;
            }
            match child.name.as_str() {
                "ExtendedFieldURI" => field_uri = Some(ExtendedFieldUri::read_xml(reader, &child)?),
                "Value" => value = Some(ExtendedValue::Single(reader.read_text()?)),
                "Values" => {
                    let mut values = Vec::new();
                    while let Some(item) = reader.next_child()? {
                        if item.is(Ns::Types, "Value") {
                            values.push(reader.read_text()?);
                        } else {
                            reader.skip()?;
                        }
                    }
                    value = Some(ExtendedValue::Multiple(values));
                }
                _ => reader.skip()?,
            }
        }
        let field_uri = field_uri
            .ok_or_else(|| reader.error("`ExtendedProperty` has no `ExtendedFieldURI`"))?;
        Ok(ExtendedProperty {
            field_uri,
            value: value.unwrap_or(ExtendedValue::Single(String::new())),
        })
    }
}

impl WriteXml for ExtendedProperty {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[]);
        self.field_uri.write_xml(writer, "t:ExtendedFieldURI");
        match &self.value {
            ExtendedValue::Single(value) => writer.text_element("t:Value", value),
            ExtendedValue::Multiple(values) => {
                writer.start("t:Values", &[]);
                for value in values {
                    writer.text_element("t:Value", value);
                }
                writer.end("t:Values");
            }
        }
        writer.end(name);
    }
}
