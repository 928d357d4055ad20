//! DeleteItem: delete items, sending meeting cancellations as requested.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation>

use crate::operation::{Operation, messages_response};
use crate::types::BaseItemId;
use crate::xml::{Element, Ns, ParseError, XmlReader, XmlWriter, string_enum};

use super::create_item::SendMeetingInvitations;
use super::shape::{expect_element, read_item_ids, write_item_ids};

string_enum! {
    /// `t:DisposalType`: how items are deleted.
    pub enum DisposalType {
        /// Delete permanently.
        HardDelete = "HardDelete",
        /// Move to the dumpster.
        SoftDelete = "SoftDelete",
        /// Move to Deleted Items.
        MoveToDeletedItems = "MoveToDeletedItems",
    }
}

string_enum! {
    /// `t:AffectedTaskOccurrencesType`, required by the schema for tasks.
    pub enum AffectedTaskOccurrences {
        /// Every occurrence.
        AllOccurrences = "AllOccurrences",
        /// Only the given occurrence.
        SpecifiedOccurrenceOnly = "SpecifiedOccurrenceOnly",
    }
}

/// `m:DeleteItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteItem {
    /// Disposal: permanent, to the dumpster or to Deleted Items.
    pub delete_type: DisposalType,
    /// Required for calendar items: whether cancellations are sent.
    pub send_meeting_cancellations: Option<SendMeetingInvitations>,
    /// Required for tasks.
    pub affected_task_occurrences: Option<AffectedTaskOccurrences>,
    /// Whether read receipts are suppressed.
    pub suppress_read_receipts: Option<bool>,
    /// Items to delete; each gets its own response message.
    pub item_ids: Vec<BaseItemId>,
}

impl Operation for DeleteItem {
    const NAME: &'static str = "DeleteItem";
    // A repeated delete fails with `ErrorItemNotFound` instead of deleting
    // twice, but the caller must decide whether that counts as success.
    const IDEMPOTENT: bool = false;
    type Response = DeleteItemResponse;

    fn expected_messages(&self) -> Option<usize> {
        Some(self.item_ids.len())
    }

    fn write_body(&self, writer: &mut XmlWriter) {
        let suppress = self
            .suppress_read_receipts
            .map(|value| if value { "true" } else { "false" });
        writer.start_opt(
            "m:DeleteItem",
            &[
                ("DeleteType", Some(self.delete_type.as_str())),
                (
                    "SendMeetingCancellations",
                    self.send_meeting_cancellations.map(|value| value.as_str()),
                ),
                (
                    "AffectedTaskOccurrences",
                    self.affected_task_occurrences.map(|value| value.as_str()),
                ),
                ("SuppressReadReceipts", suppress),
            ],
        );
        write_item_ids(writer, "m:ItemIds", &self.item_ids);
        writer.end("m:DeleteItem");
    }

    fn read_body(reader: &mut XmlReader<'_>, start: &Element) -> Result<Self, ParseError> {
        expect_element(reader, start, Self::NAME)?;
        let mut request = DeleteItem {
            delete_type: reader.parse_value(start.required_attr(reader, "DeleteType")?)?,
            send_meeting_cancellations: start.enum_attr(reader, "SendMeetingCancellations")?,
            affected_task_occurrences: start.enum_attr(reader, "AffectedTaskOccurrences")?,
            suppress_read_receipts: start
                .attr("SuppressReadReceipts")
                .and_then(crate::xml::parse_bool),
            item_ids: Vec::new(),
        };
        while let Some(child) = reader.next_child()? {
            if child.is(Ns::Messages, "ItemIds") {
                request.item_ids = read_item_ids(reader)?;
            } else {
                reader.skip()?;
            }
        }
        Ok(request)
    }
}

messages_response! {
    /// `m:DeleteItemResponse`.
    DeleteItemResponse, "DeleteItemResponseMessage", ()
}
