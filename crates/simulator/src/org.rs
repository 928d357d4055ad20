//! The organisation's state: mailboxes, items, and the change log that
//! sync states and change keys are built on.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{Folder, Item, Mailbox, RoomList, Tombstone};

/// Every mailbox and item of the simulated organisation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Org {
    /// Mailboxes by lower-case SMTP address.
    pub mailboxes: BTreeMap<String, Mailbox>,
    /// Room lists.
    pub room_lists: Vec<RoomList>,
    /// Items by number.
    pub items: BTreeMap<u64, Item>,
    /// Items that left a folder, for SyncFolderItems deletes, in the order
    /// of their sequence numbers (each is pushed with a new one).
    pub tombstones: Vec<Tombstone>,
    /// Next item number.
    pub next_number: u64,
    /// Last change sequence number handed out.
    pub seq: u64,
    /// Item numbers by mailbox, kept by `insert` and `remove` so a folder's
    /// items are found without scanning the whole organisation.
    #[serde(skip)]
    by_mailbox: BTreeMap<String, BTreeSet<u64>>,
}

impl Org {
    /// Returns the mailbox with this address (any case).
    pub fn mailbox(&self, address: &str) -> Option<&Mailbox> {
        self.mailboxes.get(&address.to_ascii_lowercase())
    }

    /// Adds or replaces a mailbox.
    pub fn put_mailbox(&mut self, mut mailbox: Mailbox) {
        mailbox.address = mailbox.address.to_ascii_lowercase();
        self.mailboxes.insert(mailbox.address.clone(), mailbox);
    }

    /// Returns the next change sequence number.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Stores a new item and returns its number.
    pub fn insert(&mut self, mut item: Item) -> u64 {
        self.next_number += 1;
        let seq = self.next_seq();
        item.number = self.next_number;
        item.version = 1;
        item.change_seq = seq;
        item.created_seq = seq;
        item.mailbox = item.mailbox.to_ascii_lowercase();
        self.by_mailbox
            .entry(item.mailbox.clone())
            .or_default()
            .insert(item.number);
        self.items.insert(item.number, item);
        self.next_number
    }

    /// Records a change to an item: new change key, modification time and sequence number.
    pub fn touch(&mut self, number: u64, now: Timestamp) {
        let seq = self.next_seq();
        if let Some(item) = self.items.get_mut(&number) {
            item.version += 1;
            item.change_seq = seq;
            item.modified = now;
        }
    }

    /// Moves an item to another folder of its mailbox.
    pub fn move_to(&mut self, number: u64, folder: Folder, now: Timestamp) {
        let Some(item) = self.items.get(&number) else {
            return;
        };
        if item.folder == folder {
            return;
        }
        let tombstone_seq = self.next_seq();
        let arrival_seq = self.next_seq();
        let item = self.items.get_mut(&number).expect("checked above");
        self.tombstones.push(Tombstone {
            mailbox: item.mailbox.clone(),
            folder: item.folder,
            number,
            seq: tombstone_seq,
            created_seq: item.created_seq,
        });
        item.folder = folder;
        item.version += 1;
        item.change_seq = arrival_seq;
        item.created_seq = arrival_seq;
        item.modified = now;
    }

    /// Removes an item for good.
    pub fn remove(&mut self, number: u64) -> Option<Item> {
        let item = self.items.remove(&number)?;
        if let Some(numbers) = self.by_mailbox.get_mut(&item.mailbox) {
            numbers.remove(&number);
        }
        let seq = self.next_seq();
        self.tombstones.push(Tombstone {
            mailbox: item.mailbox.clone(),
            folder: item.folder,
            number,
            seq,
            created_seq: item.created_seq,
        });
        Some(item)
    }

    /// Returns the items of one folder.
    pub fn folder_items<'a>(
        &'a self,
        mailbox: &'a str,
        folder: Folder,
    ) -> impl Iterator<Item = &'a Item> + 'a {
        self.by_mailbox
            .get(mailbox)
            .into_iter()
            .flatten()
            .filter_map(|number| self.items.get(number))
            .filter(move |item| item.mailbox == mailbox && item.folder == folder)
    }

    /// Rebuilds the index of items by mailbox, after the items were loaded
    /// from a saved state.
    pub fn reindex(&mut self) {
        self.by_mailbox.clear();
        for item in self.items.values() {
            self.by_mailbox
                .entry(item.mailbox.clone())
                .or_default()
                .insert(item.number);
        }
    }

    /// Returns the calendar item with this UID in a mailbox's calendar.
    pub fn calendar_item_by_uid(&self, mailbox: &str, uid: &str) -> Option<u64> {
        self.folder_items(mailbox, Folder::Calendar)
            .find(|item| {
                item.calendar
                    .as_ref()
                    .is_some_and(|calendar| calendar.uid == uid)
                    && item.kind == crate::model::ItemKind::CalendarItem
            })
            .map(|item| item.number)
    }
}
