//! The web UI in a real browser: headless Chromium, driven through
//! chromedriver's W3C WebDriver protocol, against the API server on
//! 127.0.0.1 with a SQLite store. It signs in with a token, reads the
//! timeline and books by dragging over a free slot. It meets a conflict
//! and a field error, then changes a booking and deletes it. Each effect
//! is checked in the store as well as on the page.
//!
//! Without Chromium and chromedriver the test prints that it skipped,
//! unless `ROOMBRIDGE_REQUIRE_BROWSER=1` makes it fail. Setting
//! `ROOMBRIDGE_UI_SCREENSHOTS` to a folder saves a screenshot of each step.

mod common;

use common::webdriver::Browser;
use common::{Db, ROOM_A, ROOM_B, TestApp};
use http::StatusCode;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use roombridge_domain::{BookingStatus, ExchangeLink, ExternalBooking, ResponseMode, Room};
use serde_json::{Value, json};

/// Time zone of the browser; not UTC, so that a mix-up of local and UTC
/// times shows as a booking in the wrong place.
const ZONE: &str = "Europe/Berlin";
/// Third room, beside the two every test app has.
const ROOM_C: &str = "room-c@example.com";
const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";

/// Returns `hour:minute` on `day` in [`ZONE`] as RFC 3339.
fn local(day: Date, hour: i8, minute: i8) -> String {
    let zoned = day
        .at(hour, minute, 0, 0)
        .to_zoned_datetime(TimeZone::get(ZONE).expect("known zone"))
        .expect("valid local time");
    zoned.timestamp().to_string()
}

/// Returns the bookings of `room` on `day` as `token`'s user reads them.
async fn bookings_on(app: &TestApp, token: &str, room: &str, day: Date) -> Vec<Value> {
    let path = format!(
        "/api/v1/rooms/{room}/bookings?from={}&to={}",
        local(day, 0, 0),
        local(day.tomorrow().expect("a next day"), 0, 0)
    );
    let reply = app.client.get(&path).token(token).send().await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.json().as_array().expect("a list").clone()
}

/// Returns the booking with `id` as `token`'s user reads it.
async fn booking(app: &TestApp, token: &str, id: &str) -> Value {
    app.client
        .get(&format!("/api/v1/bookings/{id}"))
        .token(token)
        .send()
        .await
        .json()
}

/// Returns a timestamp field of a booking in the form [`local`] returns.
fn instant(value: &Value) -> String {
    value
        .as_str()
        .expect("a timestamp string")
        .parse::<jiff::Timestamp>()
        .expect("an RFC 3339 timestamp")
        .to_string()
}

/// Finds an own booking in `room` whose text contains `subject`.
const OWN_BOOKING: &str = "return [...document.querySelectorAll(\
     `.track[data-room=\"${arguments[0]}\"] .booking.own`)]\
     .find((b) => b.textContent.includes(arguments[1])) || null;";

/// Sets an input's value as a picker would and reports the change.
const SET_VALUE: &str = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
     e.dispatchEvent(new Event('input', { bubbles: true })); \
     e.dispatchEvent(new Event('change', { bubbles: true })); return e.value;";

/// Returns the trimmed text of the first element matching a selector.
const TEXT_OF: &str =
    "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_flow_in_browser() {
    let Some(browser) = Browser::start("booking_flow_in_browser", ZONE).await else {
        return;
    };
    let app = TestApp::start(Db::Sqlite, "booking_flow_in_browser")
        .await
        .expect("SQLite needs no server");
    let alice = app.user(ALICE).await;
    app.store
        .upsert_user(roombridge_domain::User {
            address: ALICE.to_owned(),
            display_name: "Alice Example".to_owned(),
        })
        .await
        .expect("name Alice");
    let bob = app.user(BOB).await;
    let day = jiff::Timestamp::now()
        .to_zoned_datetime(TimeZone::get(ZONE).expect("known zone"))
        .date();

    // Someone booked Room A in Outlook, and Bob booked Room B here with a
    // body that only he may read.
    app.external(
        ROOM_A,
        "carol@example.com",
        &local(day, 9, 0),
        &local(day, 10, 0),
    )
    .await;
    let mut request = common::booking(ROOM_B, &local(day, 13, 0), &local(day, 14, 0));
    // Markup in a subject must show as text, never become an element.
    request["subject"] = json!("Bob's review <img src=x onerror=window.injected=1>");
    request["body"] = json!("Private agenda 7c2d");
    let created = app.create(&bob, &request).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);

    // Alice's all-day booking in a third room, which the form's one date
    // cannot express.
    app.store
        .upsert_room(Room {
            address: ROOM_C.to_owned(),
            display_name: "Room C".to_owned(),
            capacity: Some(12),
            location: None,
            response_mode: ResponseMode::AutoAccept,
        })
        .await
        .expect("add Room C");
    let mut all_day = common::booking(
        ROOM_C,
        &local(day, 0, 0),
        &local(day.tomorrow().expect("a next day"), 0, 0),
    );
    all_day["subject"] = json!("Offsite");
    all_day["all_day"] = json!(true);
    let all_day = app.create(&alice, &all_day).await;
    assert_eq!(all_day.status, StatusCode::CREATED, "{:?}", all_day.body);
    let all_day_id = all_day.json()["id"].as_str().unwrap().to_owned();

    // Alice's own meeting from Outlook, which the room has not accepted yet.
    app.store
        .upsert_external_booking(ExternalBooking {
            room: ROOM_B.to_owned(),
            organizer: ALICE.to_owned(),
            subject: "Alice in Outlook".to_owned(),
            body: String::new(),
            start: local(day, 15, 0).parse().expect("a time"),
            end: local(day, 16, 0).parse().expect("a time"),
            time_zone: ZONE.to_owned(),
            all_day: false,
            attendees: Vec::new(),
            status: BookingStatus::Tentative,
            exchange: ExchangeLink {
                uid: Some("uid-alice-outlook".to_owned()),
                ..ExchangeLink::default()
            },
        })
        .await
        .expect("store Alice's Outlook booking");

    let base = format!("http://{}", app.client.addr);
    browser.goto(&format!("{base}/")).await;
    browser.wait_for("#sign-in-form").await;
    assert_eq!(browser.url().await, format!("{base}/ui/"));
    let zone = browser
        .script(
            "return Intl.DateTimeFormat().resolvedOptions().timeZone;",
            json!([]),
        )
        .await;
    assert_eq!(zone, json!(ZONE), "the browser runs in the test's zone");

    // Positions follow the wall clock on the days daylight saving time
    // starts and ends in Berlin, and times go out with that day's offset.
    let clock = browser
        .async_script(
            "const done = arguments[arguments.length - 1]; \
             import('/ui/time.js').then((time) => done([ \
               time.minutesIntoDay('2026-03-29', new Date('2026-03-29T10:00:00+02:00')), \
               time.minutesIntoDay('2026-10-25', new Date('2026-10-25T12:00:00+01:00')), \
               time.minutesIntoDay('2026-03-29', new Date('2026-03-30T00:30:00+02:00')), \
               time.rfc3339(time.localTime('2026-03-29', 600)), \
               time.rfc3339(time.localTime('2026-10-25', 600)), \
             ]));",
            json!([]),
        )
        .await;
    assert_eq!(
        clock,
        json!([
            600,
            720,
            1470,
            "2026-03-29T10:00:00+02:00",
            "2026-10-25T10:00:00+01:00"
        ])
    );

    // A wrong token is rejected on the sign-in form.
    let token_input = browser.wait_for("#token").await;
    browser.type_text(&token_input, "not-a-token").await;
    browser.click_on("#sign-in-form button[type=submit]").await;
    let error = browser
        .wait_until("the sign-in error", TEXT_OF, json!(["#sign-in-error"]))
        .await;
    assert!(error.as_str().unwrap().contains("not accepted"), "{error}");
    browser.save_screenshot("0-sign-in").await;

    browser.clear(&token_input).await;
    browser.type_text(&token_input, &alice).await;
    browser.click_on("#sign-in-form button[type=submit]").await;
    let who = browser
        .wait_until("the signed-in user", TEXT_OF, json!(["#who-address"]))
        .await;
    assert_eq!(who, json!(ALICE));
    let name = browser.script(TEXT_OF, json!(["#who-name"])).await;
    assert_eq!(name, json!("Alice Example"));

    // The timeline shows both rooms, the Outlook booking and Bob's.
    let external = browser
        .wait_for(&format!(
            ".track[data-room=\"{ROOM_A}\"] .booking.origin-external"
        ))
        .await;
    let external_text = browser
        .script("return arguments[0].textContent;", json!([external]))
        .await;
    assert!(
        external_text.as_str().unwrap().contains("Carol Outlook"),
        "{external_text}"
    );
    let other = browser
        .wait_for(&format!(".track[data-room=\"{ROOM_B}\"] .booking.other"))
        .await;
    let other_label = browser
        .script(
            "return arguments[0].getAttribute('aria-label');",
            json!([other]),
        )
        .await;
    let other_label = other_label.as_str().unwrap();
    assert!(other_label.contains("Bob's review"), "{other_label}");
    let markup = browser
        .script(
            "return [arguments[0].textContent.includes('<img src=x'), \
                     document.querySelectorAll('#timeline img').length, \
                     window.injected === undefined];",
            json!([other]),
        )
        .await;
    assert_eq!(
        markup,
        json!([true, 0, true]),
        "the subject's markup stays text"
    );
    assert!(other_label.contains(BOB), "{other_label}");
    let page_text = browser
        .script("return document.body.textContent;", json!([]))
        .await;
    assert!(
        !page_text.as_str().unwrap().contains("Private agenda 7c2d"),
        "Bob's private body reached Alice's page"
    );
    let room_text = browser
        .script(
            TEXT_OF,
            json!([format!(".timeline-row[data-room=\"{ROOM_A}\"] .room-cell")]),
        )
        .await;
    assert!(
        room_text.as_str().unwrap().contains("Room A")
            && room_text.as_str().unwrap().contains("6 seats"),
        "{room_text}"
    );
    browser.save_screenshot("1-timeline").await;

    // The filter narrows the rooms, and the next day has no bookings.
    let filter = browser.wait_for("#room-filter").await;
    browser.type_text(&filter, "room b").await;
    browser
        .wait_until(
            "only Room B after filtering",
            "const rows = [...document.querySelectorAll('.timeline-row')]; \
             return rows.length === 1 && rows[0].dataset.room === arguments[0];",
            json!([ROOM_B]),
        )
        .await;
    browser.clear(&filter).await;
    browser
        .wait_until(
            "every room again",
            "return document.querySelectorAll('.timeline-row').length === 3;",
            json!([]),
        )
        .await;
    browser.click_on("#next-day").await;
    browser
        .wait_until(
            "an empty next day",
            "return document.querySelectorAll('.timeline-row').length === 3 && \
             document.querySelectorAll('.booking').length === 0;",
            json!([]),
        )
        .await;
    let address = browser.url().await;
    assert_eq!(
        address,
        format!("{base}/ui/#{}", day.tomorrow().expect("a next day")),
        "the address names the day shown"
    );
    browser.click_on("#today").await;
    browser
        .wait_for(&format!(
            ".track[data-room=\"{ROOM_A}\"] .booking.origin-external"
        ))
        .await;

    // The keyboard alone opens the form for a room and closes it again:
    // Enter on the room's "+" button, then Escape.
    let book_room_b = browser
        .wait_for(&format!(".timeline-row[data-room=\"{ROOM_B}\"] .book-room"))
        .await;
    browser.type_text(&book_room_b, "\u{E007}").await;
    browser.wait_for("#booking-dialog[open]").await;
    let room = browser
        .script(
            "return document.getElementById('booking-room').value;",
            json!([]),
        )
        .await;
    assert_eq!(room, json!(ROOM_B));
    let focused = browser
        .script("return document.activeElement.id;", json!([]))
        .await;
    assert_eq!(
        focused,
        json!("booking-subject"),
        "focus moves into the form"
    );
    let subject = browser.wait_for("#booking-subject").await;
    browser.type_text(&subject, "\u{E00C}").await;
    browser
        .wait_until(
            "the form to close on Escape",
            "return !document.querySelector('#booking-dialog[open]');",
            json!([]),
        )
        .await;

    // Her own Outlook booking is marked as hers, external and tentative,
    // and opens read-only, because Exchange owns it.
    let outlook = browser
        .wait_for(&format!(
            ".track[data-room=\"{ROOM_B}\"] .booking.own.origin-external.status-tentative"
        ))
        .await;
    browser.click(&outlook).await;
    browser.wait_for("#details-dialog[open]").await;
    let note = browser.script(TEXT_OF, json!(["#details-note"])).await;
    assert!(note.as_str().unwrap().contains("Outlook"), "{note}");
    browser.click_on("#details-close").await;

    // Dragging across 11:00 to 12:00 in Room A opens the form with that slot.
    let points = browser
        .script(
            "const track = document.querySelector(`.track[data-room=\"${arguments[0]}\"]`); \
             const left = (hour) => document.querySelector(`.hour[data-hour=\"${hour}\"]`) \
                 .getBoundingClientRect().left; \
             const box = track.getBoundingClientRect(); \
             return [left(11) + 3, left(12) - 3, box.top + box.height / 2];",
            json!([ROOM_A]),
        )
        .await;
    let [from_x, to_x, y] = [0, 1, 2].map(|i| points[i].as_f64().expect("a number"));
    browser.drag((from_x, y), (to_x, y)).await;
    browser.wait_for("#booking-dialog[open]").await;
    let slot = browser
        .script(
            "return ['room', 'start', 'end'].map((f) => document.getElementById(`booking-${f}`).value);",
            json!([]),
        )
        .await;
    assert_eq!(slot, json!([ROOM_A, "11:00", "12:00"]));
    let subject = browser.wait_for("#booking-subject").await;
    browser.type_text(&subject, "Planning").await;
    browser.save_screenshot("2-new-booking").await;
    browser.click_on("#booking-save").await;
    browser
        .wait_until("the new booking", OWN_BOOKING, json!([ROOM_A, "Planning"]))
        .await;
    browser.save_screenshot("2-created").await;
    let stored = bookings_on(&app, &alice, ROOM_A, day).await;
    let planning = stored
        .iter()
        .find(|booking| booking["subject"] == "Planning")
        .unwrap_or_else(|| panic!("no booking `Planning` in {stored:?}"));
    assert_eq!(instant(&planning["start"]), local(day, 11, 0));
    assert_eq!(planning["time_zone"], ZONE);
    let id = planning["id"].as_str().unwrap().to_owned();

    // An overlap with the Outlook booking names it in the form.
    browser.click_on("#new-booking").await;
    browser.wait_for("#booking-dialog[open]").await;
    browser
        .script(SET_VALUE, json!(["#booking-room", ROOM_A]))
        .await;
    browser
        .script(SET_VALUE, json!(["#booking-start", "09:30"]))
        .await;
    browser
        .script(SET_VALUE, json!(["#booking-end", "10:30"]))
        .await;
    let subject = browser.wait_for("#booking-subject").await;
    browser.type_text(&subject, "Clash").await;
    browser.click_on("#booking-save").await;
    let conflict = browser
        .wait_until("the conflict message", TEXT_OF, json!(["#booking-error"]))
        .await;
    let conflict = conflict.as_str().unwrap();
    assert!(conflict.contains("already booked"), "{conflict}");
    assert!(conflict.contains("Carol Outlook"), "{conflict}");
    browser.save_screenshot("3-conflict").await;

    // A malformed attendee address is reported next to its field.
    browser
        .script(SET_VALUE, json!(["#booking-start", "15:00"]))
        .await;
    browser
        .script(SET_VALUE, json!(["#booking-end", "16:00"]))
        .await;
    let attendees = browser.wait_for("#booking-attendees").await;
    browser.type_text(&attendees, "not-an-address").await;
    browser.click_on("#booking-save").await;
    let field_error = browser
        .wait_until(
            "the attendee error",
            TEXT_OF,
            json!(["#booking-attendees-error"]),
        )
        .await;
    assert!(
        field_error.as_str().unwrap().contains("not-an-address"),
        "{field_error}"
    );
    let invalid = browser
        .script(
            "return document.getElementById('booking-attendees').getAttribute('aria-invalid');",
            json!([]),
        )
        .await;
    assert_eq!(invalid, json!("true"));
    browser.click_on("#booking-cancel").await;
    assert_eq!(bookings_on(&app, &alice, ROOM_A, day).await.len(), 2);

    // Alice changes her booking: a new subject and a later end.
    let block = browser
        .wait_until(
            "the booking to edit",
            OWN_BOOKING,
            json!([ROOM_A, "Planning"]),
        )
        .await;
    browser.click(&block).await;
    browser
        .wait_for("#booking-dialog[open] #booking-delete")
        .await;
    browser
        .wait_until(
            "the history",
            "return document.querySelectorAll('#booking-history-list > li').length === 1;",
            json!([]),
        )
        .await;
    let subject = browser.wait_for("#booking-subject").await;
    browser.clear(&subject).await;
    browser.type_text(&subject, "Planning v2").await;
    browser
        .script(SET_VALUE, json!(["#booking-end", "12:30"]))
        .await;
    browser.save_screenshot("4-edit").await;
    browser.click_on("#booking-save").await;
    browser
        .wait_until(
            "the changed booking",
            OWN_BOOKING,
            json!([ROOM_A, "Planning v2"]),
        )
        .await;
    let changed = booking(&app, &alice, &id).await;
    assert_eq!(changed["subject"], "Planning v2");
    assert_eq!(changed["version"], 2);
    assert_eq!(instant(&changed["end"]), local(day, 12, 30));

    // The all-day booking opens with its times locked, and a new subject
    // leaves them as they were.
    let block = browser
        .wait_until(
            "the all-day booking",
            OWN_BOOKING,
            json!([ROOM_C, "Offsite"]),
        )
        .await;
    browser.click(&block).await;
    browser.wait_for("#booking-times-note").await;
    let locked = browser
        .script(
            "return ['date', 'start', 'end'].map((f) => document.getElementById(`booking-${f}`).disabled);",
            json!([]),
        )
        .await;
    assert_eq!(locked, json!([true, true, true]));
    let subject = browser.wait_for("#booking-subject").await;
    browser.clear(&subject).await;
    browser.type_text(&subject, "Team offsite").await;
    browser.click_on("#booking-save").await;
    browser
        .wait_until(
            "the renamed all-day booking",
            OWN_BOOKING,
            json!([ROOM_C, "Team offsite"]),
        )
        .await;
    let renamed = booking(&app, &alice, &all_day_id).await;
    assert_eq!(renamed["subject"], "Team offsite");
    assert_eq!(renamed["all_day"], true);
    assert_eq!(instant(&renamed["start"]), local(day, 0, 0));

    // The history now lists the change, and a confirmed delete removes
    // the booking from the timeline.
    let block = browser
        .wait_until(
            "the booking to delete",
            OWN_BOOKING,
            json!([ROOM_A, "Planning v2"]),
        )
        .await;
    browser.click(&block).await;
    browser
        .wait_until(
            "the history with the change",
            "const items = document.querySelectorAll('#booking-history-list > li'); \
             return items.length === 2 && items[0].textContent.includes('Planning v2');",
            json!([]),
        )
        .await;
    browser.click_on("#booking-delete").await;
    browser.click_on("#delete-confirmed").await;
    browser
        .wait_until(
            "the deleted booking to disappear",
            &format!(
                "return !document.querySelector('#booking-dialog[open]') && \
                 !{}",
                "[...document.querySelectorAll('.booking.own')].some((b) => b.textContent.includes('Planning'))"
            ),
            json!([]),
        )
        .await;
    let deleted = booking(&app, &alice, &id).await;
    assert!(deleted["deleted_at"].is_string(), "{deleted}");

    // Without an [exchange] section, Sync now reports why it did not run.
    browser.click_on("#sync-now").await;
    let status = browser
        .wait_until(
            "the sync result",
            "const s = document.getElementById('status').textContent; \
             return s.includes('Sync did not run') ? s : null;",
            json!([]),
        )
        .await;
    assert!(
        status.as_str().unwrap().contains("not configured"),
        "{status}"
    );

    // On a phone-sized window only the timeline scrolls sideways, and the
    // toolbar stays reachable.
    browser.set_window_size(400, 800).await;
    browser
        .wait_until(
            "the narrow layout",
            "return window.innerWidth <= 400 && \
             document.documentElement.scrollWidth <= window.innerWidth;",
            json!([]),
        )
        .await;
    browser.wait_for("#new-booking").await;
    let scrolls = browser
        .script(
            "const t = document.getElementById('timeline'); return t.scrollWidth > t.clientWidth;",
            json!([]),
        )
        .await;
    assert_eq!(scrolls, json!(true), "the timeline scrolls inside its box");
    browser.save_screenshot("6-narrow").await;

    // Signing out removes the token from `sessionStorage`.
    browser.click_on("#sign-out").await;
    browser.wait_for("#sign-in-form").await;
    let stored_token = browser
        .script(
            "return sessionStorage.getItem('roombridge.token');",
            json!([]),
        )
        .await;
    assert_eq!(stored_token, Value::Null);

    // The page ran without a script error or a blocked resource. The
    // console also lists each non-2xx response, which the steps above
    // caused on purpose.
    let expected = [
        "status of 401",
        "status of 409",
        "status of 422",
        "status of 503",
    ];
    let messages = browser.console_messages().await;
    assert!(
        messages
            .iter()
            .any(|message| message.contains("status of 401")),
        "the console log lists the rejected sign-in, so it is being read: {messages:?}"
    );
    for message in messages {
        assert!(
            expected.iter().any(|status| message.contains(status)),
            "unexpected browser console message: {message}"
        );
    }

    browser.quit().await;
}
