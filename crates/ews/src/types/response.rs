//! Response codes and the response message that wraps every result.

use std::fmt;

use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter, string_enum};

string_enum! {
    /// `m:ResponseClassType`: whether one response message succeeded.
    pub enum ResponseClass {
        /// The operation succeeded.
        Success = "Success",
        /// The operation succeeded in part.
        Warning = "Warning",
        /// The operation failed, and `ResponseCode` gives the reason.
        Error = "Error",
    }
}

macro_rules! response_codes {
    ($( $(#[$meta:meta])* $variant:ident, )+) => {
        /// `m:ResponseCodeType`: the outcome of one response message or the
        /// code of a SOAP fault.
        ///
        /// The codes a calendar client and its simulator meet have variants;
        /// any other of the schema's several hundred codes is kept as
        /// [`ResponseCode::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ResponseCode {
            $( $(#[$meta])* $variant, )+
            /// A code without a variant of its own, as sent.
            Other(String),
        }

        impl ResponseCode {
            /// Every code that has a variant of its own.
            pub const NAMED: &'static [ResponseCode] = &[ $( ResponseCode::$variant, )+ ];

            /// Returns the code as spelled on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( ResponseCode::$variant => stringify!($variant), )+
                    ResponseCode::Other(code) => code,
                }
            }

            /// Parses a code, surrounding whitespace and a namespace prefix
            /// (as in a fault's `a:ErrorServerBusy`) ignored.
            pub fn from_wire(value: &str) -> ResponseCode {
                let trimmed = value.trim();
                let local = trimmed.rsplit(':').next().unwrap_or(trimmed);
                match local {
                    $( stringify!($variant) => ResponseCode::$variant, )+
                    other => ResponseCode::Other(other.to_owned()),
                }
            }
        }
    };
}

response_codes! {
    /// Success.
    NoError,
    /// Access to the item or folder was denied.
    ErrorAccessDenied,
    /// The mailbox cannot be found through Autodiscover.
    ErrorAutoDiscoverFailed,
    /// The item cannot be accepted because the meeting is cancelled.
    ErrorCalendarIsCancelledForAccept,
    /// The item cannot be declined because the meeting is cancelled.
    ErrorCalendarIsCancelledForDecline,
    /// The item cannot be tentatively accepted because the meeting is cancelled.
    ErrorCalendarIsCancelledForTentative,
    /// The organizer cannot accept its own meeting.
    ErrorCalendarIsOrganizerForAccept,
    /// The organizer cannot decline its own meeting.
    ErrorCalendarIsOrganizerForDecline,
    /// The organizer cannot remove its own meeting through a response.
    ErrorCalendarIsOrganizerForRemove,
    /// The organizer cannot tentatively accept its own meeting.
    ErrorCalendarIsOrganizerForTentative,
    /// Only the organizer can do this.
    ErrorCalendarIsNotOrganizer,
    /// The meeting request is older than the calendar item.
    ErrorCalendarMeetingRequestIsOutOfDate,
    /// The item is longer than the maximum duration.
    ErrorCalendarDurationIsTooLong,
    /// The end is before the start.
    ErrorCalendarEndDateIsEarlierThanStartDate,
    /// The recurrence is invalid.
    ErrorCalendarInvalidRecurrence,
    /// The occurrence index is outside the series.
    ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange,
    /// A deleted item cannot be updated.
    ErrorCalendarCannotUpdateDeletedItem,
    /// The object cannot be deleted.
    ErrorCannotDeleteObject,
    /// The change key is required for this write.
    ErrorChangeKeyRequiredForWriteOperations,
    /// The connection to the mailbox server failed.
    ErrorConnectionFailed,
    /// The item's data is corrupt.
    ErrorCorruptData,
    /// The request crossed sites and could not be proxied.
    ErrorCrossSiteRequest,
    /// A distinguished folder cannot be deleted.
    ErrorDeleteDistinguishedFolder,
    /// The account has more open connections than its throttling policy allows.
    ErrorExceededConnectionCount,
    /// The folder does not exist.
    ErrorFolderNotFound,
    /// Free/busy data could not be generated.
    ErrorFreeBusyGenerationFailed,
    /// The account may not impersonate the requested user.
    ErrorImpersonateUserDenied,
    /// Impersonation failed.
    ErrorImpersonationFailed,
    /// An update changes more or fewer properties than one.
    ErrorIncorrectUpdatePropertyCount,
    /// An internal server error.
    ErrorInternalServerError,
    /// A transient internal server error.
    ErrorInternalServerTransientError,
    /// The change key is invalid.
    ErrorInvalidChangeKey,
    /// The `ExchangeImpersonation` header is invalid.
    ErrorInvalidExchangeImpersonationHeaderData,
    /// The folder id is invalid.
    ErrorInvalidFolderId,
    /// The item id is invalid.
    ErrorInvalidId,
    /// The item id is malformed.
    ErrorInvalidIdMalformed,
    /// The item id is not an item attachment id.
    ErrorInvalidIdNotAnItemAttachmentId,
    /// The license does not allow this.
    ErrorInvalidLicense,
    /// The operation is invalid for the item.
    ErrorInvalidOperation,
    /// The paging `MaxEntriesReturned` value is invalid.
    ErrorInvalidPagingMaxRows,
    /// The property cannot be used with this operation.
    ErrorInvalidPropertyForOperation,
    /// The requested property is invalid.
    ErrorInvalidPropertyRequest,
    /// The property set is invalid.
    ErrorInvalidPropertySet,
    /// The item a response object refers to is not a meeting request or
    /// calendar item it can apply to.
    ErrorInvalidReferenceItem,
    /// The recipients are invalid.
    ErrorInvalidRecipients,
    /// The request is invalid.
    ErrorInvalidRequest,
    /// The routing type is invalid.
    ErrorInvalidRoutingType,
    /// The request's schema version is not valid for the mailbox's version.
    ErrorInvalidSchemaVersionForMailboxVersion,
    /// The `RequestServerVersion` value is invalid.
    ErrorInvalidServerVersion,
    /// The SMTP address is invalid.
    ErrorInvalidSmtpAddress,
    /// The sync state is corrupt or invalid; synchronise again from scratch.
    ErrorInvalidSyncStateData,
    /// The time interval is invalid.
    ErrorInvalidTimeInterval,
    /// The user SID is invalid.
    ErrorInvalidUserSid,
    /// The item could not be saved.
    ErrorItemSave,
    /// The item does not exist.
    ErrorItemNotFound,
    /// The change key is stale and `NeverOverwrite` was requested.
    ErrorIrresolvableConflict,
    /// The mailbox is misconfigured.
    ErrorMailboxConfiguration,
    /// The mailbox is being moved.
    ErrorMailboxMoveInProgress,
    /// The mailbox database is unavailable.
    ErrorMailboxStoreUnavailable,
    /// The recipient was not found.
    ErrorMailRecipientNotFound,
    /// `MessageDisposition` is required.
    ErrorMessageDispositionRequired,
    /// An email address is missing.
    ErrorMissingEmailAddress,
    /// More than one name matched.
    ErrorNameResolutionMultipleResults,
    /// No name matched.
    ErrorNameResolutionNoResults,
    /// No Client Access server responded in the mailbox's site.
    ErrorNoRespondingCASInDestinationSite,
    /// The mailbox does not exist.
    ErrorNonExistentMailbox,
    /// The address is not the mailbox's primary SMTP address.
    ErrorNonPrimarySmtpAddress,
    /// A proxied request failed.
    ErrorProxyRequestProcessingFailed,
    /// The mailbox is over its quota.
    ErrorQuotaExceeded,
    /// The request does not match the schema.
    ErrorSchemaValidation,
    /// `SendMeetingCancellations` is required.
    ErrorSendMeetingCancellationsRequired,
    /// `SendMeetingInvitations` is required.
    ErrorSendMeetingInvitationsRequired,
    /// The server is busy; wait `BackOffMilliseconds` before retrying.
    ErrorServerBusy,
    /// The object changed since it was read.
    ErrorStaleObject,
    /// The folder being synchronised no longer exists.
    ErrorSyncFolderNotFound,
    /// The request took longer than the server allows.
    ErrorTimeoutExpired,
    /// The time zone is invalid.
    ErrorTimeZone,
    /// Too many objects are open on the mailbox.
    ErrorTooManyObjectsOpened,
}

impl ResponseCode {
    /// Returns the message text Exchange sends with this code, where it is
    /// known from Microsoft's samples and documentation.
    pub fn default_message_text(&self) -> Option<&'static str> {
        let text = match self {
            ResponseCode::ErrorItemNotFound => "The specified object was not found in the store.",
            ResponseCode::ErrorServerBusy => {
                "The server cannot service this request right now. Try again later."
            }
            ResponseCode::ErrorImpersonateUserDenied => {
                "The account does not have permission to impersonate the requested user."
            }
            ResponseCode::ErrorIrresolvableConflict => {
                "The send or update operation could not be performed because the change key \
                 passed in the request does not match the current change key for the item."
            }
            ResponseCode::ErrorInvalidSyncStateData => {
                "Synchronization state data is corrupt or otherwise invalid."
            }
            ResponseCode::ErrorNameResolutionNoResults => "No results were found.",
            _ => return None,
        };
        Some(text)
    }

    /// Returns true for codes that report an overloaded or briefly
    /// unavailable server, after which the same request may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ResponseCode::ErrorServerBusy
                | ResponseCode::ErrorInternalServerTransientError
                | ResponseCode::ErrorMailboxStoreUnavailable
                | ResponseCode::ErrorMailboxMoveInProgress
                | ResponseCode::ErrorConnectionFailed
                | ResponseCode::ErrorTimeoutExpired
                | ResponseCode::ErrorExceededConnectionCount
                | ResponseCode::ErrorTooManyObjectsOpened
                | ResponseCode::ErrorNoRespondingCASInDestinationSite
        )
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `t:MessageXml` value, such as `BackOffMilliseconds` on `ErrorServerBusy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageXmlValue {
    /// The `Name` attribute.
    pub name: String,
    /// The text.
    pub value: String,
}

/// Reads the `t:Value` children of a `MessageXml` element.
pub(crate) fn read_message_xml(
    reader: &mut XmlReader<'_>,
) -> Result<Vec<MessageXmlValue>, ParseError> {
    let mut values = Vec::new();
    while let Some(child) = reader.next_child()? {
        if child.is(Ns::Types, "Value") {
            let name = child.attr("Name").unwrap_or_default().to_owned();
            let value = reader.read_text()?.trim().to_owned();
            values.push(MessageXmlValue { name, value });
        } else {
            reader.skip()?;
        }
    }
    Ok(values)
}

/// Writes a `MessageXml` element, nothing when there are no values.
pub(crate) fn write_message_xml(writer: &mut XmlWriter, name: &str, values: &[MessageXmlValue]) {
    if values.is_empty() {
        return;
    }
    writer.start(name, &[]);
    for value in values {
        writer.start("t:Value", &[("Name", &value.name)]);
        writer.text(&value.value);
        writer.end("t:Value");
    }
    writer.end(name);
}

/// Returns `BackOffMilliseconds` from `MessageXml` values when present and
/// a whole number, at most [`crate::retry::MAX_SERVER_WAIT`] in milliseconds
/// so that a caller can add it to an `Instant` without overflow.
pub fn back_off_milliseconds(values: &[MessageXmlValue]) -> Option<u64> {
    values
        .iter()
        .find(|value| value.name == "BackOffMilliseconds")
        .and_then(|value| {
            let digits = value.value.trim();
            if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                return None;
            }
            // Digits too many for a u64 are a wait far above the cap.
            let cap = crate::retry::MAX_SERVER_WAIT.as_millis() as u64;
            Some(digits.parse().unwrap_or(u64::MAX).min(cap))
        })
}

/// The operation-specific content of a response message.
pub trait ResponseContent: Default {
    /// Reads one child element that follows the common fields; returns
    /// false for an element it does not keep (the caller skips it).
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the child is malformed.
    fn read_child(
        &mut self,
        reader: &mut XmlReader<'_>,
        child: &Element,
    ) -> Result<bool, ParseError>;

    /// Writes the content after the common fields.
    fn write_content(&self, writer: &mut XmlWriter);
}

impl ResponseContent for () {
    fn read_child(
        &mut self,
        _reader: &mut XmlReader<'_>,
        _child: &Element,
    ) -> Result<bool, ParseError> {
        Ok(false)
    }

    fn write_content(&self, _writer: &mut XmlWriter) {}
}

/// `m:ResponseMessageType`: the result for one item or folder of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMessage<T> {
    /// Success, warning or error.
    pub response_class: ResponseClass,
    /// Outcome code.
    pub response_code: ResponseCode,
    /// Human-readable text for an error.
    pub message_text: Option<String>,
    /// Additional values such as `BackOffMilliseconds`.
    pub message_xml: Vec<MessageXmlValue>,
    /// The operation's result, default-valued on error.
    pub content: T,
}

impl<T: ResponseContent> ResponseMessage<T> {
    /// Creates a successful response message.
    pub fn success(content: T) -> ResponseMessage<T> {
        ResponseMessage {
            response_class: ResponseClass::Success,
            response_code: ResponseCode::NoError,
            message_text: None,
            message_xml: Vec::new(),
            content,
        }
    }

    /// Creates an error response message with the code's usual text.
    pub fn error(code: ResponseCode) -> ResponseMessage<T> {
        let message_text = code.default_message_text().map(str::to_owned);
        ResponseMessage {
            response_class: ResponseClass::Error,
            response_code: code,
            message_text,
            message_xml: Vec::new(),
            content: T::default(),
        }
    }

    /// Returns true when the response class is `Error`.
    pub fn is_error(&self) -> bool {
        self.response_class == ResponseClass::Error
    }

    /// Reads the message's attributes and children (the start tag was read).
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] when the message is malformed.
    pub fn read(
        reader: &mut XmlReader<'_>,
        start: &Element,
    ) -> Result<ResponseMessage<T>, ParseError> {
        let response_class = reader.parse_value(start.required_attr(reader, "ResponseClass")?)?;
        let mut message = ResponseMessage {
            response_class,
            response_code: ResponseCode::NoError,
            message_text: None,
            message_xml: Vec::new(),
            content: T::default(),
        };
        let mut saw_code = false;
        while let Some(child) = reader.next_child()? {
            let consumed = match (child.ns, child.name.as_str()) {
                (Ns::Messages, "MessageText") => {
                    message.message_text = Some(reader.read_text()?);
                    true
                }
                (Ns::Messages, "ResponseCode") => {
                    message.response_code = ResponseCode::from_wire(&reader.read_text()?);
                    saw_code = true;
                    true
                }
                (Ns::Messages, "MessageXml") => {
                    message.message_xml = read_message_xml(reader)?;
                    true
                }
                _ => message.content.read_child(reader, &child)?,
            };
            if !consumed {
                reader.skip()?;
            }
        }
        if !saw_code && message.response_class != ResponseClass::Success {
            message.response_code = ResponseCode::Other(String::from("(missing ResponseCode)"));
        }
        Ok(message)
    }

    /// Writes the message as the element `name`.
    pub fn write(&self, writer: &mut XmlWriter, name: &str) {
        writer.start(name, &[("ResponseClass", self.response_class.as_str())]);
        writer.opt_element("m:MessageText", self.message_text.as_deref());
        writer.text_element("m:ResponseCode", self.response_code.as_str());
        if self.is_error() {
            writer.text_element("m:DescriptiveLinkKey", "0");
        }
        write_message_xml(writer, "m:MessageXml", &self.message_xml);
        self.content.write_content(writer);
        writer.end(name);
    }
}

/// Reads `m:ResponseMessages` into one message per child element.
///
/// # Errors
///
/// Returns a [`ParseError`] when a message is malformed.
pub fn read_response_messages<T: ResponseContent>(
    reader: &mut XmlReader<'_>,
) -> Result<Vec<ResponseMessage<T>>, ParseError> {
    let mut messages = Vec::new();
    while let Some(child) = reader.next_child()? {
        if child.ns == Ns::Messages && child.name.ends_with("ResponseMessage") {
            messages.push(ResponseMessage::read(reader, &child)?);
        } else {
            reader.skip()?;
        }
    }
    Ok(messages)
}

/// Reads a response element such as `m:GetItemResponse` whose only kept
/// child is `m:ResponseMessages`.
///
/// # Errors
///
/// Returns a [`ParseError`] when a message is malformed.
pub fn read_messages_response<T: ResponseContent>(
    reader: &mut XmlReader<'_>,
) -> Result<Vec<ResponseMessage<T>>, ParseError> {
    let mut messages = Vec::new();
    while let Some(child) = reader.next_child()? {
        if child.is(Ns::Messages, "ResponseMessages") {
            messages = read_response_messages(reader)?;
        } else {
            reader.skip()?;
        }
    }
    Ok(messages)
}

/// Writes a response element with `m:ResponseMessages`.
pub fn write_messages_response<T: ResponseContent>(
    writer: &mut XmlWriter,
    name: &str,
    message_name: &str,
    messages: &[ResponseMessage<T>],
) {
    writer.start(name, &[]);
    writer.start("m:ResponseMessages", &[]);
    for message in messages {
        message.write(writer, message_name);
    }
    writer.end("m:ResponseMessages");
    writer.end(name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_code_parses_known_and_other() {
        assert_eq!(
            ResponseCode::from_wire(" ErrorServerBusy\n"),
            ResponseCode::ErrorServerBusy
        );
        assert_eq!(
            ResponseCode::from_wire("a:ErrorImpersonateUserDenied"),
            ResponseCode::ErrorImpersonateUserDenied
        );
        assert_eq!(
            ResponseCode::from_wire("ErrorProxiedSubscriptionCallFailure"),
            ResponseCode::Other(String::from("ErrorProxiedSubscriptionCallFailure"))
        );
        assert_eq!(
            ResponseCode::ErrorInvalidReferenceItem.as_str(),
            "ErrorInvalidReferenceItem"
        );
    }

    #[test]
    fn named_codes_round_trip() {
        for code in ResponseCode::NAMED {
            assert_eq!(&ResponseCode::from_wire(code.as_str()), code);
        }
    }

    #[test]
    fn back_off_reads_milliseconds() {
        let values = vec![MessageXmlValue {
            name: String::from("BackOffMilliseconds"),
            value: String::from(" 297749 "),
        }];
        assert_eq!(back_off_milliseconds(&values), Some(297_749));
        assert_eq!(back_off_milliseconds(&[]), None);
    }
}
