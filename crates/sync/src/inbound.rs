//! Inbound sync of one room: read the calendar's change feed from the
//! stored cursor to its end, read details in batches, expand recurring
//! series within the window, decide per item, and commit everything with
//! the new cursor in one transaction. Nothing is stored unless the whole
//! read succeeded.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use roombridge_domain::{Booking, BookingStatus, ExchangeChange, Origin, Room};
use roombridge_store::{AppliedChange, ExternalUpsert, RoomItem, RoomSyncCommit, RoomSyncOutcome};

use crate::backend::{BackendErrorKind, FeedChange, MeetingKind, RemoteMeeting, Response};
use crate::decide::{self, InternalDecision, Snapshot};
use crate::engine::SyncEngine;
use crate::error::SyncError;
use crate::report::RoomReport;

/// Syncs one room; every failure ends up in the report.
pub(crate) async fn sync_room(engine: &SyncEngine, room: &Room) -> RoomReport {
    let mut run = RoomRun {
        engine,
        room,
        report: RoomReport {
            room: room.address.clone(),
            ..RoomReport::default()
        },
        answers: Vec::new(),
    };
    match run.read_and_commit().await {
        Ok(outcome) => run.count(&outcome),
        Err(error) => {
            run.report.errors.push(error.to_string());
            return run.report;
        }
    }
    // The responses change the room's copies after the commit above, so one
    // more read stores them now rather than a whole interval later. That
    // read may find requests that arrived in between, and the run responds
    // to those in turn, up to `RESPONSE_ROUNDS` times.
    // NOTE: the cursor is stored before the responses are sent, so a crash
    // in between leaves a request unanswered until its copy changes again
    // or the room is read in full.
    for _ in 0..RESPONSE_ROUNDS {
        if run.answers.is_empty() {
            break;
        }
        let round = run.respond_to_requests().await;
        if round.failed {
            // The feed has moved past a request that is still unanswered,
            // so the next run reads the room in full and responds to it.
            // Another read now would move the cursor past it once more.
            run.reset_cursor().await;
            return run.report;
        }
        if !round.sent {
            break;
        }
        match run.read_and_commit().await {
            Ok(outcome) => run.count(&outcome),
            Err(error) => {
                run.report.errors.push(error.to_string());
                return run.report;
            }
        }
    }
    if !run.answers.is_empty() {
        // The last read found requests that this run leaves unanswered.
        run.reset_cursor().await;
    }
    run.report
}

/// Maximum number of times one room run responds to the requests its
/// reads found and reads the room again.
const RESPONSE_ROUNDS: usize = 3;

/// Outcome of responding to the requests of one read.
#[derive(Debug, Default)]
struct ResponseRound {
    /// Whether at least one response was sent.
    sent: bool,
    /// Whether at least one request is left without a response by an error.
    failed: bool,
}

/// The bookings of one room, read once per run so that each meeting of
/// the read is matched in memory instead of by its own queries.
#[derive(Debug, Default)]
struct RoomBookings {
    /// Bookings by UID and recurrence id (in microseconds), the earliest
    /// created first when several share them.
    by_exchange_id: HashMap<(String, Option<i64>), Booking>,
    /// Lower-case organizers of roombridge bookings whose create has no
    /// UID stored yet.
    creates_without_uid: HashSet<String>,
    /// Roombridge bookings in any room by UID and recurrence id, the
    /// earliest created first, for the meetings of the read that match no
    /// booking of this room.
    internal_by_exchange_id: HashMap<(String, Option<i64>), Booking>,
}

impl RoomBookings {
    /// Reads every booking of the room, deleted ones included, and the
    /// roombridge bookings of other rooms that share a UID with `meetings`.
    async fn load(
        store: &roombridge_store::Store,
        room: &str,
        meetings: &[RemoteMeeting],
    ) -> Result<RoomBookings, SyncError> {
        let filter = roombridge_store::BookingFilter {
            room: Some(room.to_owned()),
            include_deleted: true,
            limit: Some(u32::MAX),
            ..roombridge_store::BookingFilter::default()
        };
        let mut bookings = RoomBookings::default();
        for booking in store.list_bookings(&filter).await? {
            if booking.origin == Origin::Internal && booking.exchange.uid.is_none() {
                bookings
                    .creates_without_uid
                    .insert(booking.organizer.to_ascii_lowercase());
            }
            let Some(uid) = booking.exchange.uid.clone() else {
                continue;
            };
            let key = (
                uid,
                booking.exchange.recurrence_id.map(|at| at.as_microsecond()),
            );
            match bookings.by_exchange_id.get(&key) {
                Some(earlier) if earlier.created_at <= booking.created_at => {}
                _ => {
                    bookings.by_exchange_id.insert(key, booking);
                }
            }
        }
        let mut unmatched: Vec<String> = meetings
            .iter()
            .filter(|meeting| {
                bookings
                    .by_exchange_id(&meeting.uid, meeting.recurrence_id)
                    .is_none()
            })
            .map(|meeting| meeting.uid.clone())
            .collect();
        unmatched.sort_unstable();
        unmatched.dedup();
        for booking in store.internal_bookings_by_uids(&unmatched).await? {
            let Some(uid) = booking.exchange.uid.clone() else {
                continue;
            };
            let key = (
                uid,
                booking.exchange.recurrence_id.map(|at| at.as_microsecond()),
            );
            bookings
                .internal_by_exchange_id
                .entry(key)
                .or_insert(booking);
        }
        Ok(bookings)
    }

    /// Returns the booking whose meeting has this UID and recurrence id.
    fn by_exchange_id(&self, uid: &str, recurrence_id: Option<Timestamp>) -> Option<Booking> {
        let key = (uid.to_owned(), recurrence_id.map(|at| at.as_microsecond()));
        self.by_exchange_id.get(&key).cloned()
    }

    /// Returns the roombridge booking, in whichever room it is now, whose
    /// meeting has this UID and recurrence id.
    fn internal_by_exchange_id(
        &self,
        uid: &str,
        recurrence_id: Option<Timestamp>,
    ) -> Option<&Booking> {
        let key = (uid.to_owned(), recurrence_id.map(|at| at.as_microsecond()));
        self.internal_by_exchange_id.get(&key)
    }

    /// Whether `organizer` has a roombridge booking in the room whose create
    /// response, with the UID, has not been stored.
    fn has_create_without_uid(&self, organizer: &str) -> bool {
        self.creates_without_uid
            .contains(&organizer.to_ascii_lowercase())
    }
}

/// How far the sync window may move before series are expanded again
/// although none of them changed.
const WINDOW_REFRESH: SignedDuration = SignedDuration::from_hours(1);

/// Everything the change feed reported, in the order it happened.
#[derive(Debug, Default)]
struct FeedRead {
    cursor: String,
    full: bool,
    /// Item id to whether it still exists (true) or was deleted (false).
    changes: BTreeMap<String, bool>,
}

struct RoomRun<'a> {
    engine: &'a SyncEngine,
    room: &'a Room,
    report: RoomReport,
    /// UID and recurrence id of meetings whose request waits for
    /// roombridge to respond as the room, after the commit.
    answers: Vec<(String, Option<Timestamp>)>,
}

impl RoomRun<'_> {
    /// Responds as the room to the requests the last read found.
    async fn respond_to_requests(&mut self) -> ResponseRound {
        let engine = self.engine;
        let room = self.room;
        let mut round = ResponseRound::default();
        for (uid, recurrence_id) in std::mem::take(&mut self.answers) {
            let booking = match engine
                .store
                .booking_by_exchange_id(&room.address, &uid, recurrence_id)
                .await
            {
                Ok(Some(booking)) if booking.blocks() => booking,
                Ok(_) => continue,
                Err(error) => {
                    self.report.errors.push(error.to_string());
                    round.failed = true;
                    continue;
                }
            };
            match crate::outbound::answer_as_room(engine, room, &booking).await {
                Ok(answer) => {
                    round.sent |= answer.sent;
                    self.report.requests += answer.requests;
                    if answer.declined {
                        self.report.declined += 1;
                    }
                }
                Err(error) => {
                    self.report.errors.push(format!(
                        "responding to booking {} as the room failed: {error}",
                        booking.id
                    ));
                    round.failed = true;
                }
            }
        }
        round
    }

    /// Clears the room's cursor so that the next run reads it in full.
    async fn reset_cursor(&mut self) {
        if let Err(error) = self
            .engine
            .store
            .reset_room_cursor(&self.room.address)
            .await
        {
            self.report.errors.push(error.to_string());
        }
    }

    async fn read_and_commit(&mut self) -> Result<RoomSyncOutcome, SyncError> {
        let store = &self.engine.store;
        let address = self.room.address.as_str();
        let state = store.room_sync_state(address).await?;
        let stored_window = state.as_ref().and_then(|state| state.window);
        let feed = self.read_feed(state.and_then(|state| state.cursor)).await?;
        self.report.full_read = feed.full;

        let stored_items = store.room_items(address).await?;
        let upserts: Vec<String> = feed
            .changes
            .iter()
            .filter(|(_, exists)| **exists)
            .map(|(id, _)| id.clone())
            .collect();
        self.report.requests += upserts.len().div_ceil(50) as u32;
        let fetched = self
            .engine
            .backend
            .fetch_meetings(address, &upserts)
            .await?;

        // Deleted items: named by the feed, or (after a complete re-read)
        // every stored item the read no longer returned.
        let removed: Vec<RoomItem> = if feed.full {
            let seen: HashSet<&str> = upserts.iter().map(String::as_str).collect();
            stored_items
                .iter()
                .filter(|item| !seen.contains(item.item_id.as_str()))
                .cloned()
                .collect()
        } else {
            stored_items
                .iter()
                .filter(|item| feed.changes.get(&item.item_id) == Some(&false))
                .cloned()
                .collect()
        };
        let items_seen: Vec<RoomItem> = fetched
            .iter()
            .map(|meeting| RoomItem {
                item_id: meeting.id.item_id.clone(),
                uid: meeting.uid.clone(),
                is_series: meeting.kind == MeetingKind::SeriesMaster,
            })
            .collect();

        let mut commit = RoomSyncCommit {
            room: address.to_owned(),
            cursor: Some(feed.cursor.clone()),
            replace_items: feed.full,
            items_removed: removed.iter().map(|item| item.item_id.clone()).collect(),
            items_seen: items_seen.clone(),
            ..RoomSyncCommit::default()
        };

        // Series: every master in the room calendar after this read.
        let removed_ids: HashSet<&str> = removed.iter().map(|item| item.item_id.as_str()).collect();
        let mut series: HashSet<String> = stored_items
            .iter()
            .filter(|item| item.is_series && !removed_ids.contains(item.item_id.as_str()))
            .map(|item| item.uid.clone())
            .collect();
        series.retain(|uid| {
            // A stored master that was updated into a single meeting stops
            // being a series.
            !fetched
                .iter()
                .any(|m| &m.uid == uid && m.kind == MeetingKind::Single)
        });
        series.extend(
            fetched
                .iter()
                .filter(|meeting| meeting.kind == MeetingKind::SeriesMaster)
                .map(|meeting| meeting.uid.clone()),
        );

        let mut meetings: Vec<RemoteMeeting> = fetched
            .into_iter()
            .filter(|meeting| meeting.kind == MeetingKind::Single)
            .collect();
        let mut window = None;
        let mut occurrences_by_uid: HashMap<String, HashSet<Option<Timestamp>>> = HashMap::new();
        let now = Timestamp::now();
        // A change to an occurrence changes its master, so the feed names
        // every series whose occurrences changed. Without such a change the
        // stored expansion stands until the window has moved by
        // `WINDOW_REFRESH`.
        let series_changed = feed.full
            || items_seen.iter().any(|item| item.is_series)
            || removed.iter().any(|item| item.is_series);
        let window_moved = stored_window.is_none_or(|(from, _)| {
            now.duration_since(from) >= self.engine.config.window_past + WINDOW_REFRESH
        });
        if !series.is_empty() && !series_changed && !window_moved {
            window = stored_window;
        } else if !series.is_empty() {
            let from = now
                .saturating_sub(self.engine.config.window_past)
                .unwrap_or(now);
            let to = now
                .saturating_add(self.engine.config.window_ahead)
                .unwrap_or(now);
            // The feed's items are single meetings and masters, which the
            // view would read again only to leave them out below.
            let known_items: HashSet<String> = stored_items
                .iter()
                .map(|item| item.item_id.clone())
                .chain(items_seen.iter().map(|item| item.item_id.clone()))
                .collect();
            let view = self
                .engine
                .backend
                .calendar_view_except(address, from, to, &known_items)
                .await?;
            self.report.requests += 1 + view.len().div_ceil(50) as u32;
            for meeting in view {
                if meeting.kind == MeetingKind::Occurrence && series.contains(&meeting.uid) {
                    occurrences_by_uid
                        .entry(meeting.uid.clone())
                        .or_default()
                        .insert(meeting.recurrence_id);
                    meetings.push(meeting);
                }
            }
            window = Some((from, to));
        }
        let expanded = window.is_some() && window != stored_window;
        commit.window = window;

        // Only decisions need the other rooms; a read that found nothing
        // skips listing them.
        let known_rooms: std::sync::Arc<[String]> = if meetings.is_empty() && removed.is_empty() {
            std::sync::Arc::default()
        } else {
            self.engine.known_rooms().await?
        };
        let room_bookings = if meetings.is_empty() {
            RoomBookings::default()
        } else {
            RoomBookings::load(store, address, &meetings).await?
        };
        for meeting in &meetings {
            self.decide_meeting(meeting, &known_rooms, &room_bookings, &mut commit)
                .await?;
        }
        for item in &removed {
            self.decide_removed(item, &known_rooms, &mut commit).await?;
        }
        // Item ids of the room's calendar after this read.
        let room_item_ids: HashSet<&str> = stored_items
            .iter()
            .map(|item| item.item_id.as_str())
            .filter(|id| !removed_ids.contains(id))
            .chain(items_seen.iter().map(|item| item.item_id.as_str()))
            .collect();
        self.check_unanswered(&room_item_ids, &mut commit).await?;
        if let Some((from, to)) = window.filter(|_| expanded) {
            for uid in &series {
                let present = occurrences_by_uid.get(uid).cloned().unwrap_or_default();
                for booking in store.bookings_by_uid(address, uid).await? {
                    let in_window = booking.start >= from && booking.start < to;
                    if in_window && !present.contains(&booking.exchange.recurrence_id) {
                        cancel(&booking, &mut commit);
                    }
                }
            }
        }

        let outcome = store.commit_room_sync(commit).await?;
        Ok(outcome)
    }

    /// Reads the feed from `cursor` to its end; an invalid cursor restarts
    /// the read from the beginning.
    async fn read_feed(&mut self, cursor: Option<String>) -> Result<FeedRead, SyncError> {
        let address = self.room.address.as_str();
        let mut read = FeedRead {
            full: cursor.is_none(),
            cursor: cursor.clone().unwrap_or_default(),
            ..FeedRead::default()
        };
        let mut position = cursor;
        loop {
            self.report.requests += 1;
            let page = match self
                .engine
                .backend
                .read_changes(address, position.as_deref())
                .await
            {
                Ok(page) => page,
                Err(error) if error.kind == BackendErrorKind::InvalidCursor && !read.full => {
                    tracing::warn!(
                        target: "roombridge::sync",
                        room = %address,
                        error = %error,
                        "sync cursor rejected; reading the whole calendar again"
                    );
                    read = FeedRead {
                        full: true,
                        ..FeedRead::default()
                    };
                    position = None;
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            for change in page.changes {
                match change {
                    FeedChange::Upsert(id) => read.changes.insert(id, true),
                    FeedChange::Delete(id) => read.changes.insert(id, false),
                };
            }
            read.cursor = page.cursor.clone();
            position = Some(page.cursor);
            if page.last_page {
                return Ok(read);
            }
        }
    }

    async fn decide_meeting(
        &mut self,
        meeting: &RemoteMeeting,
        known_rooms: &[String],
        room_bookings: &RoomBookings,
        commit: &mut RoomSyncCommit,
    ) -> Result<(), SyncError> {
        let store = &self.engine.store;
        let address = self.room.address.as_str();
        let mut existing = room_bookings.by_exchange_id(&meeting.uid, meeting.recurrence_id);
        if existing.is_none()
            && let Some(id) = meeting.booking_id
        {
            // Pushed, but the response with its UID was lost before it was
            // stored.
            existing = store
                .booking(id)
                .await?
                .filter(|booking| booking.room == address);
        }
        if existing.is_none()
            && let Some(elsewhere) =
                room_bookings.internal_by_exchange_id(&meeting.uid, meeting.recurrence_id)
        {
            // NOTE: a roombridge meeting that Outlook also booked this room
            // for is not stored here; only the booking's own room counts.
            tracing::debug!(
                target: "roombridge::sync",
                room = %address,
                booking_id = %elsewhere.id,
                "copy of a roombridge meeting booked in another room skipped"
            );
            return Ok(());
        }
        let waiting = matches!(meeting.response, Response::None | Response::Tentative)
            && meeting.blocks()
            && self.room.response_mode == roombridge_domain::ResponseMode::AcceptAsRoom;
        if waiting {
            // In accept-as-room mode roombridge responds to every request
            // the room receives, Outlook's included.
            self.answers
                .push((meeting.uid.clone(), meeting.recurrence_id));
        }
        if existing.is_none()
            && room_bookings.has_create_without_uid(&meeting.organizer)
            && let Some(link) = self.in_flight_create(meeting, known_rooms).await?
        {
            commit.changes.push(link);
            return Ok(());
        }
        let Some(booking) = existing.filter(|booking| booking.origin == Origin::Internal) else {
            commit
                .external
                .push(decide::external_booking(address, meeting, known_rooms));
            return Ok(());
        };

        let decision = decide::decide_internal(&booking, meeting);
        tracing::debug!(
            target: "roombridge::sync",
            room = %address,
            booking_id = %booking.id,
            decision = ?decision,
            "room copy of a roombridge booking read"
        );
        match decision {
            InternalDecision::Unchanged | InternalDecision::Ignore => {}
            InternalDecision::Relink(link) => commit.changes.push(AppliedChange {
                booking_id: booking.id,
                change: ExchangeChange {
                    link: Some(link),
                    ..ExchangeChange::default()
                },
                snapshot: None,
                decision: None,
            }),
            InternalDecision::Cancelled(change) => {
                self.cancel_or_move(&booking, change, known_rooms, commit)
                    .await?;
            }
            InternalDecision::Declined(change) => commit.changes.push(AppliedChange {
                booking_id: booking.id,
                change,
                snapshot: None,
                decision: None,
            }),
            InternalDecision::ReadOrganizerCopy => {
                let mut link = booking.exchange.clone();
                link.room_item_id = Some(meeting.id.item_id.clone());
                link.room_change_key = meeting.id.change_key.clone();
                self.merge_organizer_copy(&booking, link, known_rooms, commit)
                    .await?;
            }
        }
        if booking.status == BookingStatus::Declined && meeting.blocks() {
            // The room's calendar contains the meeting again, because an
            // update sent after the decline reached the room as a new
            // request. The room accepted it or, in accept-as-room mode,
            // waits for a response.
            reopen(&booking, commit);
        }
        Ok(())
    }

    /// Reads the organizer's copy of an internal booking's meeting and
    /// merges its fields into the booking.
    async fn merge_organizer_copy(
        &mut self,
        booking: &Booking,
        mut link: roombridge_domain::ExchangeLink,
        known_rooms: &[String],
        commit: &mut RoomSyncCommit,
    ) -> Result<(), SyncError> {
        let Some(copy) = self.organizer_copy(booking).await? else {
            let change = ExchangeChange {
                status: Some(BookingStatus::Cancelled),
                ..ExchangeChange::default()
            };
            commit.changes.push(applied(booking, change, None, None));
            return Ok(());
        };
        if copy.cancelled {
            let change = ExchangeChange {
                status: Some(BookingStatus::Cancelled),
                ..ExchangeChange::default()
            };
            commit.changes.push(applied(booking, change, None, None));
            return Ok(());
        }
        let remote_room = room_of(&copy, &booking.room, known_rooms);
        let remote = Snapshot::of_meeting(&copy, &remote_room, known_rooms);
        let base = self
            .engine
            .store
            .sync_snapshot(booking.id)
            .await?
            .as_ref()
            .and_then(Snapshot::from_json);
        let policy = self.engine.config.conflict_policy;
        let merge = decide::merge(booking, base.as_ref(), &remote, policy);
        link.organizer_change_key = copy.id.change_key.clone();
        link.last_modified = copy.last_modified;
        let decision = merge.decision(policy);
        if let Some(decision) = &decision {
            tracing::info!(
                target: "roombridge::sync",
                room = %self.room.address,
                booking_id = %booking.id,
                decision = %decision,
                "booking edited on both sides; conflict policy applied"
            );
        }
        let change = ExchangeChange {
            patch: merge.patch.clone(),
            link: Some(link),
            ..ExchangeChange::default()
        };
        commit.changes.push(applied(
            booking,
            change,
            Some(merge.agreed.to_json()),
            decision,
        ));
        Ok(())
    }

    /// Handles the room's copy of an internal booking's meeting being
    /// cancelled or deleted: the meeting moved to another room in Outlook,
    /// or it was cancelled.
    async fn cancel_or_move(
        &mut self,
        booking: &Booking,
        change: ExchangeChange,
        known_rooms: &[String],
        commit: &mut RoomSyncCommit,
    ) -> Result<(), SyncError> {
        if booking.status == BookingStatus::Cancelled || booking.deleted_at.is_some() {
            return Ok(());
        }
        if let Some(copy) = self.organizer_copy(booking).await?
            && !copy.cancelled
        {
            let rooms = copy.invited_rooms(known_rooms);
            if !rooms.contains(&booking.room) && !rooms.is_empty() {
                let link = booking.exchange.clone();
                return self
                    .merge_organizer_copy(booking, link, known_rooms, commit)
                    .await;
            }
            if copy.response_of(&booking.room) == Some(Response::Declined) {
                // A room that declines deletes its copy, while the
                // organizer's meeting lives on, so this is no cancellation.
                let change = ExchangeChange {
                    status: Some(BookingStatus::Declined),
                    declined_reason: Some(
                        "the room mailbox declined the meeting request".to_owned(),
                    ),
                    ..ExchangeChange::default()
                };
                commit.changes.push(applied(booking, change, None, None));
                return Ok(());
            }
        }
        commit.changes.push(applied(booking, change, None, None));
        Ok(())
    }

    async fn decide_removed(
        &mut self,
        item: &RoomItem,
        known_rooms: &[String],
        commit: &mut RoomSyncCommit,
    ) -> Result<(), SyncError> {
        let bookings = self
            .engine
            .store
            .bookings_by_uid(&self.room.address, &item.uid)
            .await?;
        for booking in bookings {
            // The booking may already follow a newer copy of the meeting in
            // this run, such as the request a pushed move sent the room.
            let relinked = !item.is_series
                && booking.exchange.recurrence_id.is_none()
                && booking
                    .exchange
                    .room_item_id
                    .as_deref()
                    .is_some_and(|linked| linked != item.item_id);
            let pending = commit
                .changes
                .iter()
                .any(|change| change.booking_id == booking.id);
            // An Outlook meeting or series updated after the room declined
            // it reaches the room as a new copy, read in this run beside the
            // old one.
            let replaced = commit.external.iter().any(|external| {
                external.exchange.uid == booking.exchange.uid
                    && external.exchange.recurrence_id == booking.exchange.recurrence_id
            });
            if relinked || pending || replaced {
                continue;
            }
            if booking.origin == Origin::Internal && !item.is_series {
                let change = ExchangeChange {
                    status: Some(BookingStatus::Cancelled),
                    ..ExchangeChange::default()
                };
                self.cancel_or_move(&booking, change, known_rooms, commit)
                    .await?;
            } else {
                cancel(&booking, commit);
            }
        }
        Ok(())
    }

    /// Recognizes the room's copy of a meeting roombridge created whose
    /// create response was lost, so the booking has no UID yet: the
    /// organizer's calendar holds a meeting stamped with the booking id and
    /// this UID. Returns the link to store, or `None` for an Outlook meeting.
    async fn in_flight_create(
        &mut self,
        meeting: &RemoteMeeting,
        known_rooms: &[String],
    ) -> Result<Option<AppliedChange>, SyncError> {
        let filter = roombridge_store::BookingFilter {
            room: Some(self.room.address.clone()),
            organizer: Some(meeting.organizer.clone()),
            origin: Some(Origin::Internal),
            include_deleted: true,
            ..roombridge_store::BookingFilter::default()
        };
        let candidates = self.engine.store.list_bookings(&filter).await?;
        for booking in candidates.iter().filter(|b| b.exchange.uid.is_none()) {
            self.report.requests += 2;
            let Some(copy) = self
                .engine
                .backend
                .find_by_booking_id(&booking.organizer, booking.id)
                .await?
            else {
                continue;
            };
            if copy.uid != meeting.uid {
                continue;
            }
            tracing::info!(
                target: "roombridge::sync",
                room = %self.room.address,
                booking_id = %booking.id,
                "room copy of a meeting whose create response was lost recognized"
            );
            let link = roombridge_domain::ExchangeLink {
                uid: Some(copy.uid.clone()),
                recurrence_id: None,
                organizer_item_id: Some(copy.id.item_id.clone()),
                organizer_change_key: copy.id.change_key.clone(),
                room_item_id: Some(meeting.id.item_id.clone()),
                room_change_key: meeting.id.change_key.clone(),
                last_modified: meeting.last_modified,
            };
            let change = ExchangeChange {
                link: Some(link),
                ..ExchangeChange::default()
            };
            // The snapshot is what Exchange holds, not the booking: an edit
            // made since the create was sent is then a local change that the
            // next merge keeps and pushes, not one Exchange undid.
            let snapshot = Snapshot::of_meeting(&copy, &booking.room, known_rooms).to_json();
            return Ok(Some(applied(booking, change, Some(snapshot), None)));
        }
        Ok(None)
    }

    /// Reads the room's response from the organizer's copy for pushed
    /// bookings whose room copy is not among `room_item_ids`, the items of
    /// the room's calendar after this read. A room that declined keeps no
    /// copy of the meeting in its calendar.
    async fn check_unanswered(
        &mut self,
        room_item_ids: &HashSet<&str>,
        commit: &mut RoomSyncCommit,
    ) -> Result<(), SyncError> {
        let filter = roombridge_store::BookingFilter {
            room: Some(self.room.address.clone()),
            origin: Some(Origin::Internal),
            from: Some(Timestamp::now()),
            ..roombridge_store::BookingFilter::default()
        };
        for booking in self.engine.store.list_bookings(&filter).await? {
            let pushed = booking.exchange.organizer_item_id.is_some();
            // A booking moved from another room still links that room's
            // copy until this room's copy is read.
            let unseen = booking
                .exchange
                .room_item_id
                .as_deref()
                .is_none_or(|id| !room_item_ids.contains(id));
            let pending = commit
                .changes
                .iter()
                .any(|change| change.booking_id == booking.id);
            if !pushed || !unseen || pending || !booking.blocks() {
                continue;
            }
            let Some(copy) = self.organizer_copy(&booking).await? else {
                continue;
            };
            if copy.response_of(&self.room.address) == Some(Response::Declined) {
                let change = ExchangeChange {
                    status: Some(BookingStatus::Declined),
                    declined_reason: Some(
                        "the room mailbox declined the meeting request".to_owned(),
                    ),
                    ..ExchangeChange::default()
                };
                commit.changes.push(applied(&booking, change, None, None));
            }
        }
        Ok(())
    }

    async fn organizer_copy(
        &mut self,
        booking: &Booking,
    ) -> Result<Option<RemoteMeeting>, SyncError> {
        let Some(item_id) = booking.exchange.organizer_item_id.clone() else {
            return Ok(None);
        };
        self.report.requests += 1;
        let found = self
            .engine
            .backend
            .fetch_meetings(&booking.organizer, std::slice::from_ref(&item_id))
            .await?;
        Ok(found.into_iter().next())
    }

    fn count(&mut self, outcome: &RoomSyncOutcome) {
        for external in &outcome.external {
            match external {
                ExternalUpsert::Created(_) => self.report.created += 1,
                ExternalUpsert::Updated(booking) if booking.status == BookingStatus::Cancelled => {
                    self.report.cancelled += 1;
                }
                ExternalUpsert::Updated(_) => self.report.updated += 1,
                _ => {}
            }
        }
        for (before, after) in &outcome.changed {
            if before.version == after.version {
                continue;
            }
            match after.status {
                BookingStatus::Cancelled if before.status != BookingStatus::Cancelled => {
                    self.report.cancelled += 1;
                }
                BookingStatus::Declined if before.status != BookingStatus::Declined => {
                    self.report.declined += 1;
                }
                _ => self.report.updated += 1,
            }
        }
    }
}

/// Picks the room a meeting is in from the organizer's copy: this room
/// while it is still invited, else the other known room invited.
fn room_of(copy: &RemoteMeeting, current: &str, known_rooms: &[String]) -> String {
    let rooms = copy.invited_rooms(known_rooms);
    if rooms.iter().any(|room| room == current) {
        return current.to_owned();
    }
    rooms
        .into_iter()
        .find(|room| known_rooms.contains(room))
        .unwrap_or_else(|| current.to_owned())
}

fn cancel(booking: &Booking, commit: &mut RoomSyncCommit) {
    if booking.status == BookingStatus::Cancelled || booking.deleted_at.is_some() {
        return;
    }
    if commit
        .changes
        .iter()
        .any(|change| change.booking_id == booking.id)
    {
        return;
    }
    let change = ExchangeChange {
        status: Some(BookingStatus::Cancelled),
        ..ExchangeChange::default()
    };
    commit.changes.push(applied(booking, change, None, None));
}

/// Confirms a declined booking again: the change just decided for it gets
/// the status, unless that change cancels the booking, or a new change
/// carries it.
fn reopen(booking: &Booking, commit: &mut RoomSyncCommit) {
    let decided = commit
        .changes
        .iter_mut()
        .rev()
        .find(|applied| applied.booking_id == booking.id);
    match decided {
        Some(applied) if applied.change.status.is_none() => {
            applied.change.status = Some(BookingStatus::Confirmed);
        }
        Some(_) => {}
        None => {
            let change = ExchangeChange {
                status: Some(BookingStatus::Confirmed),
                ..ExchangeChange::default()
            };
            commit.changes.push(applied(booking, change, None, None));
        }
    }
}

fn applied(
    booking: &Booking,
    change: ExchangeChange,
    snapshot: Option<serde_json::Value>,
    decision: Option<serde_json::Value>,
) -> AppliedChange {
    AppliedChange {
        booking_id: booking.id,
        change,
        snapshot,
        decision,
    }
}
