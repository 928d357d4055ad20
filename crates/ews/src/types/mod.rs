//! EWS data types shared by requests and responses, each readable from and
//! writable to XML so that the client and the simulator use the same code.
//!
//! Names follow Microsoft's schema (`types.xsd` and `messages.xsd`).

mod calendar_item;
mod extended_property;
mod ids;
mod item;
mod mailbox;
pub mod paths;
mod recurrence;
mod response;
mod soap;

pub use calendar_item::{
    Body, BodyType, CalendarItem, CalendarItemType, Importance, LegacyFreeBusyType, OccurrenceInfo,
    Sensitivity, TimeZoneDefinition,
};
pub use extended_property::{
    DistinguishedPropertySetId, ExtendedFieldUri, ExtendedProperty, ExtendedValue, MapiPropertyType,
};
pub use ids::{
    BaseFolderId, BaseItemId, DistinguishedFolderId, DistinguishedFolderIdName, FolderId, ItemId,
    OccurrenceItemId, RecurringMasterItemId,
};
pub use item::{
    Item, MeetingRequestType, MessageItem, MessageKind, read_items, read_items_each, write_items,
};
pub use mailbox::{Attendee, EmailAddress, MailboxType, ResponseType, SingleRecipient};
pub use paths::PropertyPath;
pub use recurrence::{
    DayOfWeek, DayOfWeekIndex, Month, Recurrence, RecurrencePattern, RecurrenceRange,
};
pub use response::{
    MessageXmlValue, ResponseClass, ResponseCode, ResponseContent, ResponseMessage,
    back_off_milliseconds, read_messages_response, read_response_messages, write_messages_response,
};
pub use soap::{
    ConnectingSid, ExchangeImpersonation, ExchangeVersion, RequestHeader, ResponseBody,
    ResponseEnvelope, ServerVersionInfo, SoapFault, read_request_envelope, read_response_envelope,
    write_fault_envelope, write_request_envelope, write_response_envelope,
};
