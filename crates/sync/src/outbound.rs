//! Outbound sync: push outbox records to Exchange, and respond to meeting
//! requests on behalf of rooms in accept-as-room mode.
//!
//! Every create first looks for a meeting stamped with the booking id, so
//! a retry after a crash or a lost response adopts the meeting instead of
//! creating a second one.

use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use rand::Rng;
use roombridge_domain::{
    Booking, BookingStatus, ExchangeChange, ExchangeLink, OutboxKind, OutboxRecord, ResponseMode,
    Room,
};
use tracing::Instrument;

use crate::backend::{BackendErrorKind, MeetingDraft, RemoteId, RemoteMeeting, Response};
use crate::decide::{self, Snapshot};
use crate::engine::SyncEngine;
use crate::error::SyncError;
use crate::report::OutboxReport;

/// Pushes one batch of due outbox records.
pub(crate) async fn push_outbox(engine: &SyncEngine) -> Result<OutboxReport, SyncError> {
    let mut report = OutboxReport::default();
    let parked_before = Timestamp::now()
        .checked_sub(
            jiff::SignedDuration::try_from(engine.config.parked_retry_after).unwrap_or_default(),
        )
        .unwrap_or_else(|_| Timestamp::now());
    let released = engine.store.release_parked_outbox(parked_before).await?;
    if released > 0 {
        tracing::info!(target: "roombridge::sync", released, "parked outbox records queued again");
    }
    let records = engine
        .store
        .claim_outbox(engine.config.outbox_batch)
        .await?;
    // Records of one booking are claimed one at a time, so records pushed
    // at the same time never touch the same meeting.
    let results: Vec<(OutboxRecord, Result<(), SyncError>, u32)> = futures::stream::iter(records)
        .map(|record| async move {
            let mut push = Push {
                engine,
                requests: 0,
            };
            let span = tracing::info_span!(
                target: "roombridge::sync",
                "push_outbox_record",
                booking_id = %record.booking_id,
                operation = record.kind.as_str(),
            );
            let result = push.record(&record).instrument(span).await;
            (record, result, push.requests)
        })
        .buffer_unordered(engine.config.concurrency.max(1))
        .collect()
        .await;
    for (record, result, requests) in results {
        report.requests += requests;
        settle(engine, &record, result, &mut report).await?;
    }
    Ok(report)
}

/// Marks a record done, failed or parked according to its attempt.
async fn settle(
    engine: &SyncEngine,
    record: &OutboxRecord,
    result: Result<(), SyncError>,
    report: &mut OutboxReport,
) -> Result<(), SyncError> {
    let error = match result {
        Ok(()) => {
            engine.store.complete_outbox(record.id).await?;
            report.pushed += 1;
            tracing::info!(
                target: "roombridge::sync",
                booking_id = %record.booking_id,
                operation = record.kind.as_str(),
                result = "ok",
                "outbox record pushed"
            );
            return Ok(());
        }
        Err(error) => error,
    };
    let message = error.to_string();
    let permanent = !error.is_transient();
    if permanent && record.attempts >= engine.config.park_after_attempts {
        engine.store.park_outbox(record.id, &message).await?;
        report.parked += 1;
        report
            .errors
            .push(format!("booking {} parked: {message}", record.booking_id));
        tracing::warn!(
            target: "roombridge::sync",
            booking_id = %record.booking_id,
            operation = record.kind.as_str(),
            attempts = record.attempts,
            error = %message,
            "outbox record parked after repeated failures"
        );
        return Ok(());
    }
    let wait = retry_wait(engine, record.attempts, &error);
    let next = Timestamp::now()
        .checked_add(jiff::SignedDuration::try_from(wait).unwrap_or_default())
        .unwrap_or_else(|_| Timestamp::now());
    engine.store.fail_outbox(record.id, &message, next).await?;
    report.failed += 1;
    report.errors.push(format!(
        "booking {} will be retried: {message}",
        record.booking_id
    ));
    tracing::warn!(
        target: "roombridge::sync",
        booking_id = %record.booking_id,
        operation = record.kind.as_str(),
        attempts = record.attempts,
        retry_in_ms = wait.as_millis() as u64,
        error = %message,
        "outbox record failed; retrying later"
    );
    Ok(())
}

/// Returns the wait before the next attempt: what Exchange asked for, or
/// an exponential back-off with "equal jitter" (half fixed, half random)
/// so that records failing together do not return together.
fn retry_wait(engine: &SyncEngine, attempts: i64, error: &SyncError) -> Duration {
    if let SyncError::Backend(error) = error
        && let Some(wait) = error.retry_after()
    {
        return wait.min(engine.config.retry_max);
    }
    let exponent = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let ceiling = engine
        .config
        .retry_base
        .saturating_mul(1 << exponent)
        .min(engine.config.retry_max);
    let half = ceiling / 2;
    let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
    half + Duration::from_millis(jitter)
}

struct Push<'a> {
    engine: &'a SyncEngine,
    requests: u32,
}

impl Push<'_> {
    async fn record(&mut self, record: &OutboxRecord) -> Result<(), SyncError> {
        let store = &self.engine.store;
        let Some(booking) = store.booking(record.booking_id).await? else {
            return Err(SyncError::MissingBooking(record.booking_id));
        };
        match record.kind {
            OutboxKind::Create | OutboxKind::Update if booking.deleted_at.is_some() => {
                // The delete record that follows cancels whatever exists.
                Ok(())
            }
            OutboxKind::Create => self.create(&booking).await,
            OutboxKind::Update => self.update(&booking, record.previous_room.as_deref()).await,
            OutboxKind::Delete => self.delete(&booking).await,
        }
    }

    async fn create(&mut self, booking: &Booking) -> Result<(), SyncError> {
        if booking.exchange.organizer_item_id.is_some() {
            return Ok(());
        }
        let room = self.room(&booking.room).await?;
        self.requests += 2;
        let meeting = match self
            .engine
            .backend
            .find_by_booking_id(&booking.organizer, booking.id)
            .await?
        {
            Some(found) => {
                tracing::info!(
                    target: "roombridge::sync",
                    booking_id = %booking.id,
                    operation = "create",
                    "meeting from an earlier attempt found; adopting it"
                );
                // The booking may have changed since that attempt was sent,
                // and its update record may be the one being pushed now, so
                // the meeting gets the booking's current fields.
                self.requests += 1;
                let draft = draft(booking, &room);
                let id = self
                    .engine
                    .backend
                    .update_meeting(&draft, &found.id)
                    .await?;
                RemoteMeeting { id, ..found }
            }
            None => {
                self.requests += 2;
                let draft = draft(booking, &room);
                self.engine.backend.create_meeting(&draft).await?
            }
        };
        self.store_pushed(booking, &meeting.id, Some(&meeting.uid))
            .await?;
        self.after_push(booking, &room, &meeting).await
    }

    async fn update(
        &mut self,
        booking: &Booking,
        previous_room: Option<&str>,
    ) -> Result<(), SyncError> {
        let Some(item_id) = booking.exchange.organizer_item_id.clone() else {
            // Never pushed (or the create's response was lost): create now.
            return self.create(booking).await;
        };
        let room = self.room(&booking.room).await?;
        let mut booking = booking.clone();
        let mut id = RemoteId {
            item_id,
            change_key: booking.exchange.organizer_change_key.clone(),
        };
        let mut merged_once = false;
        let updated = loop {
            self.requests += 1;
            let draft = draft(&booking, &room);
            match self.engine.backend.update_meeting(&draft, &id).await {
                Ok(updated) => break updated,
                Err(error) if error.kind == BackendErrorKind::ChangeKeyConflict && !merged_once => {
                    merged_once = true;
                    let (merged, fresh) = self.merge_before_update(&booking, &room).await?;
                    booking = merged;
                    id = fresh;
                }
                Err(error) if error.kind == BackendErrorKind::NotFound => {
                    // The meeting is gone from the organizer's calendar.
                    let change = ExchangeChange {
                        status: Some(BookingStatus::Cancelled),
                        ..ExchangeChange::default()
                    };
                    self.engine
                        .store
                        .apply_exchange_change(booking.id, &change)
                        .await?;
                    return Ok(());
                }
                Err(error) => return Err(error.into()),
            }
        };
        let uid = booking.exchange.uid.clone();
        self.store_pushed(&booking, &updated, uid.as_deref())
            .await?;
        let moved = previous_room.is_some_and(|previous| previous != booking.room);
        if room.response_mode == ResponseMode::AcceptAsRoom && (moved || booking.blocks()) {
            let answer = answer_as_room(self.engine, &room, &booking).await?;
            self.requests += answer.requests;
        }
        Ok(())
    }

    /// Re-reads the organizer's copy after a stale change key, merges its
    /// Outlook edits into the booking under the conflict policy and
    /// returns the merged booking with the fresh id.
    async fn merge_before_update(
        &mut self,
        booking: &Booking,
        room: &Room,
    ) -> Result<(Booking, RemoteId), SyncError> {
        let item_id = booking
            .exchange
            .organizer_item_id
            .clone()
            .unwrap_or_default();
        self.requests += 1;
        let copy = self
            .engine
            .backend
            .fetch_meetings(&booking.organizer, std::slice::from_ref(&item_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                crate::backend::BackendError::new(
                    BackendErrorKind::NotFound,
                    format!(
                        "meeting of booking {} not found in `{}`",
                        booking.id, booking.organizer
                    ),
                )
            })?;
        let known_rooms = vec![room.address.clone()];
        let remote = Snapshot::of_meeting(&copy, &room.address, &known_rooms);
        let base = self
            .engine
            .store
            .sync_snapshot(booking.id)
            .await?
            .as_ref()
            .and_then(Snapshot::from_json);
        let policy = self.engine.config.conflict_policy;
        let merge = decide::merge(booking, base.as_ref(), &remote, policy);
        let mut link = booking.exchange.clone();
        link.organizer_change_key = copy.id.change_key.clone();
        let change = ExchangeChange {
            patch: merge.patch.clone(),
            link: Some(link),
            ..ExchangeChange::default()
        };
        let merged = self
            .engine
            .store
            .apply_exchange_change(booking.id, &change)
            .await?;
        if let Some(decision) = merge.decision(policy) {
            tracing::info!(
                target: "roombridge::sync",
                booking_id = %booking.id,
                operation = "update",
                decision = %decision,
                "booking edited on both sides; conflict policy applied"
            );
        }
        Ok((merged, copy.id))
    }

    async fn delete(&mut self, booking: &Booking) -> Result<(), SyncError> {
        let id = match &booking.exchange.organizer_item_id {
            Some(item_id) => RemoteId {
                item_id: item_id.clone(),
                change_key: booking.exchange.organizer_change_key.clone(),
            },
            None => {
                self.requests += 1;
                match self
                    .engine
                    .backend
                    .find_by_booking_id(&booking.organizer, booking.id)
                    .await?
                {
                    Some(found) => found.id,
                    None => return Ok(()),
                }
            }
        };
        self.requests += 1;
        match self
            .engine
            .backend
            .cancel_meeting(&booking.organizer, &id)
            .await
        {
            Ok(()) => Ok(()),
            Err(error) if error.kind == BackendErrorKind::NotFound => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    async fn room(&self, address: &str) -> Result<Room, SyncError> {
        self.engine
            .store
            .room(address)
            .await?
            .ok_or_else(|| SyncError::UnknownRoom(address.to_owned()))
    }

    /// Stores the organizer's item id and change key and the values pushed.
    async fn store_pushed(
        &self,
        booking: &Booking,
        id: &RemoteId,
        uid: Option<&str>,
    ) -> Result<(), SyncError> {
        let link = ExchangeLink {
            uid: uid
                .map(str::to_owned)
                .or_else(|| booking.exchange.uid.clone()),
            organizer_item_id: Some(id.item_id.clone()),
            organizer_change_key: id.change_key.clone(),
            ..booking.exchange.clone()
        };
        self.engine
            .store
            .set_exchange_link(booking.id, &link)
            .await?;
        let snapshot = Snapshot::of_booking(booking).to_json();
        self.engine
            .store
            .set_sync_snapshot(booking.id, &snapshot)
            .await?;
        Ok(())
    }

    /// Gets the room's response after a create: responds as the room, or
    /// reads the response the room mailbox sent itself.
    async fn after_push(
        &mut self,
        booking: &Booking,
        room: &Room,
        meeting: &RemoteMeeting,
    ) -> Result<(), SyncError> {
        let booking = self
            .engine
            .store
            .booking(booking.id)
            .await?
            .ok_or(SyncError::MissingBooking(booking.id))?;
        match room.response_mode {
            ResponseMode::AcceptAsRoom => {
                let answer = answer_as_room(self.engine, room, &booking).await?;
                self.requests += answer.requests;
            }
            ResponseMode::AutoAccept => {
                // The room mailbox responds by itself, possibly after this
                // call returns. Its response shows on the organizer's copy.
                self.requests += 1;
                let copy = self
                    .engine
                    .backend
                    .fetch_meetings(
                        &booking.organizer,
                        std::slice::from_ref(&meeting.id.item_id),
                    )
                    .await?;
                let declined = copy
                    .first()
                    .and_then(|copy| copy.response_of(&room.address))
                    == Some(Response::Declined);
                if declined {
                    mark_declined(
                        self.engine,
                        &booking,
                        "the room mailbox declined the meeting request",
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }
}

/// Builds the meeting roombridge wants for a booking.
fn draft(booking: &Booking, room: &Room) -> MeetingDraft {
    MeetingDraft {
        booking_id: booking.id,
        organizer: booking.organizer.clone(),
        room: room.address.clone(),
        room_name: room.display_name.clone(),
        subject: booking.subject.clone(),
        body: booking.body.clone(),
        start: booking.start,
        end: booking.end,
        time_zone: booking.time_zone.clone(),
        all_day: booking.all_day,
        attendees: booking.attendees.clone(),
    }
}

async fn mark_declined(
    engine: &SyncEngine,
    booking: &Booking,
    reason: &str,
) -> Result<(), SyncError> {
    let change = ExchangeChange {
        status: Some(BookingStatus::Declined),
        declined_reason: Some(reason.to_owned()),
        ..ExchangeChange::default()
    };
    engine
        .store
        .apply_exchange_change(booking.id, &change)
        .await?;
    tracing::info!(
        target: "roombridge::sync",
        booking_id = %booking.id,
        room = %booking.room,
        reason,
        "room declined the booking"
    );
    Ok(())
}

/// Outcome of responding as the room.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    /// Whether a response was sent. None is sent while the request has not
    /// reached the room's calendar, or once the room has responded.
    pub(crate) sent: bool,
    pub(crate) declined: bool,
    pub(crate) requests: u32,
}

/// Answers the room's copy of a booking's meeting as the room: declines
/// when another meeting already holds the slot in the room's calendar,
/// accepts otherwise. Does nothing while the request has not reached the
/// room's calendar yet; the next sync of the room tries again.
pub(crate) async fn answer_as_room(
    engine: &SyncEngine,
    room: &Room,
    booking: &Booking,
) -> Result<Answer, SyncError> {
    let mut answer = Answer::default();
    let Some(uid) = booking.exchange.uid.as_deref() else {
        return Ok(answer);
    };
    answer.requests += 2;
    let view = engine
        .backend
        .calendar_view(&room.address, booking.start, booking.end)
        .await?;
    let Some(own) = view.iter().find(|meeting| {
        meeting.uid == uid && meeting.recurrence_id == booking.exchange.recurrence_id
    }) else {
        return Ok(answer);
    };
    if matches!(own.response, Response::Accepted | Response::Declined) {
        return Ok(answer);
    }
    let taken = |meeting: &&crate::backend::RemoteMeeting| {
        meeting.uid != uid
            && meeting.blocks()
            && matches!(meeting.response, Response::Accepted | Response::Organizer)
    };
    let mut busy = view.iter().find(taken).cloned();
    if busy.is_none() && booking.exchange.recurrence_id.is_some() {
        // Accepting one occurrence accepts the whole series, so every other
        // occurrence must be free as well.
        for occurrence in engine.store.bookings_by_uid(&room.address, uid).await? {
            if occurrence.id == booking.id || !occurrence.blocks() {
                continue;
            }
            answer.requests += 1;
            let others = engine
                .backend
                .calendar_view(&room.address, occurrence.start, occurrence.end)
                .await?;
            busy = others.iter().find(taken).cloned();
            if busy.is_some() {
                break;
            }
        }
    }
    answer.requests += 1;
    match busy {
        Some(other) => {
            let reason = format!(
                "the room is already booked from {} to {}",
                other.start, other.end
            );
            engine
                .backend
                .respond_as_room(&room.address, &own.id, false, Some(&reason))
                .await?;
            mark_declined(engine, booking, &reason).await?;
            answer.sent = true;
            answer.declined = true;
        }
        None => {
            engine
                .backend
                .respond_as_room(&room.address, &own.id, true, None)
                .await?;
            answer.sent = true;
            tracing::info!(
                target: "roombridge::sync",
                booking_id = %booking.id,
                room = %room.address,
                "accepted the meeting request as the room"
            );
        }
    }
    Ok(answer)
}
