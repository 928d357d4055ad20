//! One module per EWS operation, each with its request and response types.
//!
//! AcceptItem, TentativelyAcceptItem, DeclineItem and CancelCalendarItem
//! are not operations of their own: they are response objects created with
//! [`create_item::CreateItem`].

mod items;
mod restriction;
mod shape;

pub mod convert_id;
pub mod create_item;
pub mod delete_item;
pub mod find_item;
pub mod get_folder;
pub mod get_item;
pub mod get_room_lists;
pub mod get_rooms;
pub mod get_user_availability;
pub mod move_item;
pub mod resolve_names;
pub mod sync_folder_items;
pub mod update_item;

pub use convert_id::{AlternateId, ConvertId, ConvertIdContent, ConvertIdResponse, IdFormat};
pub use create_item::{
    CreateItem, CreateItemResponse, MessageDisposition, NewItem, ResponseObject,
    ResponseObjectKind, SendMeetingInvitations,
};
pub use delete_item::{AffectedTaskOccurrences, DeleteItem, DeleteItemResponse, DisposalType};
pub use find_item::{
    FieldOrder, FindItem, FindItemContent, FindItemResponse, IndexBasePoint, ItemQueryTraversal,
    SortDirection, View,
};
pub use get_folder::{Folder, FoldersContent, GetFolder, GetFolderResponse};
pub use get_item::{GetItem, GetItemResponse};
pub use get_room_lists::{GetRoomLists, GetRoomListsResponse, RoomListsContent};
pub use get_rooms::{GetRooms, GetRoomsResponse, RoomsContent};
pub use get_user_availability::{
    CalendarEvent, CalendarEventDetails, FreeBusyResponse, FreeBusyView, FreeBusyViewOptions,
    FreeBusyViewType, GetUserAvailability, GetUserAvailabilityResponse, MailboxData,
    MeetingAttendeeType, SerializableTimeZone, TimeZoneTransition,
};
pub use items::ItemsContent;
pub use move_item::{MoveItem, MoveItemResponse};
pub use resolve_names::{
    Resolution, ResolveNames, ResolveNamesContent, ResolveNamesResponse, ResolveNamesSearchScope,
    ResolvedContact,
};
pub use restriction::{Comparison, Operand, SearchExpression};
pub use shape::{BaseShape, BodyTypeResponse, Shape};
pub use sync_folder_items::{
    SyncChange, SyncFolderItems, SyncFolderItemsContent, SyncFolderItemsResponse,
    SyncFolderItemsScope,
};
pub use update_item::{
    ConflictResolution, ItemChange, ItemUpdate, SendMeetingInvitationsOrCancellations, UpdateItem,
    UpdateItemContent, UpdateItemResponse,
};
