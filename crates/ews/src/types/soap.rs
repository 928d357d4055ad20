//! SOAP 1.1 envelope, EWS headers and SOAP faults.

use crate::xml::{
    Element, MESSAGES_NS, Ns, ParseError, ReadXml, SOAP_NS, TYPES_NS, WriteXml, XmlReader,
    XmlWriter, string_enum,
};

use super::calendar_item::TimeZoneDefinition;
use super::response::{MessageXmlValue, ResponseCode, read_message_xml, write_message_xml};

string_enum! {
    /// `t:ExchangeVersionType`: the schema version a request is written
    /// against, sent in `RequestServerVersion`.
    pub enum ExchangeVersion {
        /// Exchange 2007.
        Exchange2007 = "Exchange2007",
        /// Exchange 2007 SP1.
        Exchange2007Sp1 = "Exchange2007_SP1",
        /// Exchange 2009.
        Exchange2009 = "Exchange2009",
        /// Exchange 2010.
        Exchange2010 = "Exchange2010",
        /// Exchange 2010 SP1.
        Exchange2010Sp1 = "Exchange2010_SP1",
        /// Exchange 2010 SP2.
        Exchange2010Sp2 = "Exchange2010_SP2",
        /// Exchange 2012.
        Exchange2012 = "Exchange2012",
        /// Exchange 2013.
        Exchange2013 = "Exchange2013",
        /// Exchange 2013 SP1.
        Exchange2013Sp1 = "Exchange2013_SP1",
        /// Exchange 2015.
        Exchange2015 = "Exchange2015",
        /// Exchange 2016 (also accepted by Exchange 2019 and Subscription Edition).
        Exchange2016 = "Exchange2016",
        /// Schema version of 2015-10-05.
        V2015_10_05 = "V2015_10_05",
        /// Schema version of 2016-01-06.
        V2016_01_06 = "V2016_01_06",
        /// Schema version of 2016-04-13.
        V2016_04_13 = "V2016_04_13",
        /// Schema version of 2016-07-13.
        V2016_07_13 = "V2016_07_13",
        /// Schema version of 2016-10-10.
        V2016_10_10 = "V2016_10_10",
        /// Schema version of 2017-01-07.
        V2017_01_07 = "V2017_01_07",
        /// Schema version of 2017-04-14.
        V2017_04_14 = "V2017_04_14",
        /// Schema version of 2017-07-11.
        V2017_07_11 = "V2017_07_11",
    }
}

/// `t:ConnectingSIDType`: how the impersonated account is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectingSid {
    /// User principal name.
    PrincipalName(String),
    /// Security identifier in SDDL form.
    Sid(String),
    /// Primary SMTP address (the form roombridge sends).
    PrimarySmtpAddress(String),
    /// Any SMTP address of the account.
    SmtpAddress(String),
}

impl ConnectingSid {
    /// Returns the address, name or SID, whichever form this is.
    pub fn value(&self) -> &str {
        match self {
            ConnectingSid::PrincipalName(value)
            | ConnectingSid::Sid(value)
            | ConnectingSid::PrimarySmtpAddress(value)
            | ConnectingSid::SmtpAddress(value) => value,
        }
    }
}

/// `t:ExchangeImpersonation`: act as another account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeImpersonation {
    /// The account to act as.
    pub connecting_sid: ConnectingSid,
}

impl ExchangeImpersonation {
    /// Creates an impersonation header for a primary SMTP address.
    pub fn primary_smtp(address: impl Into<String>) -> ExchangeImpersonation {
        ExchangeImpersonation {
            connecting_sid: ConnectingSid::PrimarySmtpAddress(address.into()),
        }
    }
}

impl ReadXml for ExchangeImpersonation {
    fn read_xml(reader: &mut XmlReader<'_>, _start: &Element) -> Result<Self, ParseError> {
        let mut connecting_sid = None;
        while let Some(child) = reader.next_child()? {
            if !child.is(Ns::Types, "ConnectingSID") {
                reader.skip()?;
                continue;
            }
            while let Some(form) = reader.next_child()? {
                let sid = match (form.ns, form.name.as_str()) {
                    (Ns::Types, "PrincipalName") => {
                        ConnectingSid::PrincipalName(reader.read_text()?)
                    }
                    (Ns::Types, "SID") => ConnectingSid::Sid(reader.read_text()?),
                    (Ns::Types, "PrimarySmtpAddress") => {
                        ConnectingSid::PrimarySmtpAddress(reader.read_text()?.trim().to_owned())
                    }
                    (Ns::Types, "SmtpAddress") => {
                        ConnectingSid::SmtpAddress(reader.read_text()?.trim().to_owned())
                    }
                    _ => {
                        reader.skip()?;
                        continue;
                    }
                };
                connecting_sid = Some(sid);
            }
        }
        let connecting_sid = connecting_sid.ok_or_else(|| {
            reader.error("`ExchangeImpersonation` names no account in `ConnectingSID`")
        })?;
        Ok(ExchangeImpersonation { connecting_sid })
    }
}

impl WriteXml for ExchangeImpersonation {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[]);
        writer.start("t:ConnectingSID", &[]);
        let (element, value) = match &self.connecting_sid {
            ConnectingSid::PrincipalName(value) => ("t:PrincipalName", value),
            ConnectingSid::Sid(value) => ("t:SID", value),
            ConnectingSid::PrimarySmtpAddress(value) => ("t:PrimarySmtpAddress", value),
            ConnectingSid::SmtpAddress(value) => ("t:SmtpAddress", value),
        };
        writer.text_element(element, value);
        writer.end("t:ConnectingSID");
        writer.end(name);
    }
}

/// The SOAP headers of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHeader {
    /// `t:RequestServerVersion`; Exchange treats a request without it as Exchange 2007.
    pub request_server_version: Option<ExchangeVersion>,
    /// `t:ExchangeImpersonation`.
    pub impersonation: Option<ExchangeImpersonation>,
    /// `t:TimeZoneContext`: the zone for times without an offset.
    pub time_zone_context: Option<TimeZoneDefinition>,
}

impl RequestHeader {
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError> {
        match (child.ns, child.name.as_str()) {
            (Ns::Types, "RequestServerVersion") => {
                let version = child.required_attr(reader, "Version")?;
                self.request_server_version = Some(reader.parse_value(version)?);
                reader.skip()?;
            }
            (Ns::Types, "ExchangeImpersonation") => {
                self.impersonation = Some(ExchangeImpersonation::read_xml(reader, child)?);
            }
            (Ns::Types, "TimeZoneContext") => {
                while let Some(definition) = reader.next_child()? {
                    if definition.is(Ns::Types, "TimeZoneDefinition") {
                        let zone = TimeZoneDefinition::read_xml(reader, &definition)?;
                        // Date-times without an offset in the body are in this zone.
                        if let Some(time_zone) = zone
                            .id
                            .as_deref()
                            .and_then(|id| crate::timezone::windows_time_zone(id).ok())
                        {
                            reader.set_time_zone(time_zone);
                        }
                        self.time_zone_context = Some(zone);
                    } else {
                        reader.skip()?;
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn write(&self, writer: &mut XmlWriter) {
        writer.start("s:Header", &[]);
        if let Some(version) = self.request_server_version {
            writer.empty("t:RequestServerVersion", &[("Version", version.as_str())]);
        }
        if let Some(impersonation) = &self.impersonation {
            impersonation.write_xml(writer, "t:ExchangeImpersonation");
        }
        if let Some(zone) = &self.time_zone_context {
            writer.start("t:TimeZoneContext", &[]);
            zone.write_xml(writer, "t:TimeZoneDefinition");
            writer.end("t:TimeZoneContext");
        }
        writer.end("s:Header");
    }
}

/// `t:ServerVersionInfo`: the build of the server that sent the response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerVersionInfo {
    /// Major version, 15 for Exchange 2013 and later.
    pub major_version: Option<u32>,
    /// Minor version: 0 for 2013, 1 for 2016, 2 for 2019.
    pub minor_version: Option<u32>,
    /// Major build number.
    pub major_build_number: Option<u32>,
    /// Minor build number.
    pub minor_build_number: Option<u32>,
    /// Schema version string such as `V2_11` or `Exchange2010_SP2`.
    pub version: Option<String>,
}

impl ReadXml for ServerVersionInfo {
    fn read_xml(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        let number = |name: &str| -> Result<Option<u32>, ParseError> {
            match start.attr(name) {
                None => Ok(None),
                Some(raw) => raw.trim().parse().map(Some).map_err(|_| {
                    reader.error(format!("invalid `{name}` `{raw}`, expected a number"))
                }),
            }
        };
        let info = ServerVersionInfo {
            major_version: number("MajorVersion")?,
            minor_version: number("MinorVersion")?,
            major_build_number: number("MajorBuildNumber")?,
            minor_build_number: number("MinorBuildNumber")?,
            version: start.attr("Version").map(str::to_owned),
        };
        reader.skip()?;
        Ok(info)
    }
}

impl WriteXml for ServerVersionInfo {
    fn write_xml(&self, writer: &mut XmlWriter, name: &str) {
        let text = |value: Option<u32>| value.map(|number| number.to_string());
        let (major, minor) = (text(self.major_version), text(self.minor_version));
        let (major_build, minor_build) =
            (text(self.major_build_number), text(self.minor_build_number));
        writer.empty_opt(
            name,
            &[
                ("MajorVersion", major.as_deref()),
                ("MinorVersion", minor.as_deref()),
                ("MajorBuildNumber", major_build.as_deref()),
                ("MinorBuildNumber", minor_build.as_deref()),
                ("Version", self.version.as_deref()),
            ],
        );
    }
}

/// A SOAP fault, which Exchange returns with HTTP 500 for errors that stop
/// the whole request (throttling, denied impersonation, schema errors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SoapFault {
    /// `faultcode`, such as `a:ErrorServerBusy` or `s:Client`.
    pub fault_code: String,
    /// `faultstring`, the human-readable text.
    pub fault_string: String,
    /// `e:ResponseCode` from `detail`.
    pub response_code: Option<ResponseCode>,
    /// `e:Message` from `detail`.
    pub message: Option<String>,
    /// `t:MessageXml` values from `detail`, such as `BackOffMilliseconds`.
    pub message_xml: Vec<MessageXmlValue>,
}

impl SoapFault {
    /// Creates a fault for an EWS response code with its usual text.
    pub fn for_code(code: ResponseCode) -> SoapFault {
        let text = code.default_message_text().unwrap_or_default().to_owned();
        SoapFault {
            fault_code: format!("a:{}", code.as_str()),
            fault_string: text.clone(),
            message: Some(text),
            response_code: Some(code),
            message_xml: Vec::new(),
        }
    }

    /// Returns the EWS response code, from `detail` or else from `faultcode`.
    pub fn code(&self) -> ResponseCode {
        match &self.response_code {
            Some(code) => code.clone(),
            None => ResponseCode::from_wire(&self.fault_code),
        }
    }

    fn read(reader: &mut XmlReader<'_>) -> Result<SoapFault, ParseError> {
        let mut fault = SoapFault::default();
        while let Some(child) = reader.next_child()? {
            match child.name.as_str() {
                "faultcode" => fault.fault_code = reader.read_text()?.trim().to_owned(),
                "faultstring" => fault.fault_string = reader.read_text()?.trim().to_owned(),
                "detail" => fault.read_detail(reader)?,
                _ => reader.skip()?,
            }
        }
        Ok(fault)
    }

    fn read_detail(&mut self, reader: &mut XmlReader<'_>) -> Result<(), ParseError> {
        while let Some(child) = reader.next_child()? {
            match (child.ns, child.name.as_str()) {
                (Ns::Errors, "ResponseCode") => {
                    self.response_code = Some(ResponseCode::from_wire(&reader.read_text()?));
                }
                (Ns::Errors, "Message") => {
                    self.message = Some(reader.read_text()?.trim().to_owned())
                }
                (Ns::Types, "MessageXml") => self.message_xml = read_message_xml(reader)?,
                _ => reader.skip()?,
            }
        }
        Ok(())
    }

    /// Writes the `s:Fault` element, for a server building its own envelope.
    pub fn write(&self, writer: &mut XmlWriter) {
        writer.start("s:Fault", &[]);
        writer.start("faultcode", &[("xmlns:a", TYPES_NS)]);
        writer.text(&self.fault_code);
        writer.end("faultcode");
        writer.start("faultstring", &[("xml:lang", "en-US")]);
        writer.text(&self.fault_string);
        writer.end("faultstring");
        writer.start("detail", &[]);
        if let Some(code) = &self.response_code {
            writer.start("e:ResponseCode", &[("xmlns:e", crate::xml::ERRORS_NS)]);
            writer.text(code.as_str());
            writer.end("e:ResponseCode");
        }
        if let Some(message) = &self.message {
            writer.start("e:Message", &[("xmlns:e", crate::xml::ERRORS_NS)]);
            writer.text(message);
            writer.end("e:Message");
        }
        write_message_xml(writer, "t:MessageXml", &self.message_xml);
        writer.end("detail");
        writer.end("s:Fault");
    }
}

fn start_envelope(writer: &mut XmlWriter) {
    writer.declaration();
    writer.start(
        "s:Envelope",
        &[
            ("xmlns:s", SOAP_NS),
            ("xmlns:m", MESSAGES_NS),
            ("xmlns:t", TYPES_NS),
        ],
    );
}

/// Writes a request envelope with the given headers around `write_body`.
pub fn write_request_envelope(
    header: &RequestHeader,
    write_body: impl FnOnce(&mut XmlWriter),
) -> String {
    let mut writer = XmlWriter::new();
    start_envelope(&mut writer);
    header.write(&mut writer);
    writer.start("s:Body", &[]);
    write_body(&mut writer);
    writer.end("s:Body");
    writer.end("s:Envelope");
    writer.into_string()
}

/// Writes a response envelope with `ServerVersionInfo` around `write_body`.
pub fn write_response_envelope(
    server_version_info: Option<&ServerVersionInfo>,
    write_body: impl FnOnce(&mut XmlWriter),
) -> String {
    let mut writer = XmlWriter::new();
    start_envelope(&mut writer);
    if let Some(info) = server_version_info {
        writer.start("s:Header", &[]);
        info.write_xml(&mut writer, "t:ServerVersionInfo");
        writer.end("s:Header");
    }
    writer.start("s:Body", &[]);
    write_body(&mut writer);
    writer.end("s:Body");
    writer.end("s:Envelope");
    writer.into_string()
}

/// Writes an envelope holding a SOAP fault, as sent with HTTP 500, with
/// `ServerVersionInfo` in the header when given.
pub fn write_fault_envelope(
    server_version_info: Option<&ServerVersionInfo>,
    fault: &SoapFault,
) -> String {
    write_response_envelope(server_version_info, |writer| fault.write(writer))
}

/// The body of a response envelope: the operation's response or a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody<B> {
    /// The operation's response element.
    Response(B),
    /// A SOAP fault.
    Fault(SoapFault),
}

/// A parsed response envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseEnvelope<B> {
    /// `ServerVersionInfo` from the header, if the server sent one.
    pub server_version_info: Option<ServerVersionInfo>,
    /// Response or fault.
    pub body: ResponseBody<B>,
}

/// Reads a request envelope: the headers, then the body's first element
/// through `read_body`.
///
/// # Errors
///
/// Returns a [`ParseError`] when the document is not a SOAP envelope, has
/// no body element, or `read_body` fails.
pub fn read_request_envelope<B>(
    xml: &str,
    read_body: impl FnOnce(&mut XmlReader<'_>, &Element) -> Result<B, ParseError>,
) -> Result<(RequestHeader, B), ParseError> {
    let mut header = RequestHeader::default();
    let body = read_envelope(
        xml,
        |reader, child| header.read_child(reader, child),
        read_body,
    )?;
    Ok((header, body))
}

/// Reads a response envelope whose body is a fault or the element that
/// `read_body` reads.
///
/// # Errors
///
/// Returns a [`ParseError`] when the document is not a SOAP envelope, has no
/// body element, or `read_body` fails.
pub fn read_response_envelope<B>(
    xml: &str,
    read_body: impl FnOnce(&mut XmlReader<'_>, &Element) -> Result<B, ParseError>,
) -> Result<ResponseEnvelope<B>, ParseError> {
    let mut server_version_info = None;
    let body = read_envelope(
        xml,
        |reader, child| {
            if child.is(Ns::Types, "ServerVersionInfo") {
                server_version_info = Some(ServerVersionInfo::read_xml(reader, child)?);
                return Ok(true);
            }
            Ok(false)
        },
        |reader, element| {
            if element.is(Ns::Soap, "Fault") {
                return Ok(ResponseBody::Fault(SoapFault::read(reader)?));
            }
            Ok(ResponseBody::Response(read_body(reader, element)?))
        },
    )?;
    Ok(ResponseEnvelope {
        server_version_info,
        body,
    })
}

fn read_envelope<B>(
    xml: &str,
    mut read_header: impl FnMut(&mut XmlReader<'_>, &Element) -> Result<bool, ParseError>,
    read_body: impl FnOnce(&mut XmlReader<'_>, &Element) -> Result<B, ParseError>,
) -> Result<B, ParseError> {
    let mut reader = XmlReader::new(xml);
    let root = reader.root()?;
    if !root.is(Ns::Soap, "Envelope") {
        return Err(reader.error(format!(
            "expected a SOAP 1.1 `Envelope`, but found `{}`",
            root.name
        )));
    }
    let mut read_body = Some(read_body);
    let mut body = None;
    while let Some(child) = reader.next_child()? {
        match (child.ns, child.name.as_str()) {
            (Ns::Soap, "Header") => {
                while let Some(header) = reader.next_child()? {
                    if !read_header(&mut reader, &header)? {
                        reader.skip()?;
                    }
                }
            }
            (Ns::Soap, "Body") => {
                while let Some(element) = reader.next_child()? {
                    match read_body.take() {
                        Some(read) => body = Some(read(&mut reader, &element)?),
                        None => reader.skip()?,
                    }
                }
            }
            _ => reader.skip()?,
        }
    }
    body.ok_or_else(|| reader.error("SOAP `Body` has no element"))
}
