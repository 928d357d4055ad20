//! Markup in a booking's subject, body and attendee names reaches Exchange
//! as text: the simulator stores it verbatim, adds no element, and the
//! round trip back into the store keeps it unchanged.

mod support;

use roombridge_domain::{Actor, Attendee, NewBooking};
use support::*;

const SUBJECTS: [&str; 4] = [
    "</t:Subject><t:Body>x</t:Body>",
    "]]><t:Subject>injected</t:Subject><![CDATA[",
    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>&e;",
    "&amp; &lt; ' \" &#x3C;",
];

#[tokio::test]
async fn markup_in_text_fields_arrives_verbatim() {
    let h = start().await;
    let mut booked = Vec::new();
    for (index, subject) in SUBJECTS.iter().enumerate() {
        let start = at(6, 8 + index as i8, 0);
        let body = format!("</t:Body></t:CalendarItem><t:CalendarItem>{subject}");
        let name =
            format!("Carol </t:Name><t:EmailAddress>mallory@evil.test</t:EmailAddress> {index}");
        let booking = h
            .store
            .create_booking(
                NewBooking {
                    room: AUTO_ROOM.to_owned(),
                    organizer: "alice@example.com".to_owned(),
                    subject: (*subject).to_owned(),
                    body: body.clone(),
                    start,
                    end: plus(start, 30),
                    time_zone: "UTC".to_owned(),
                    all_day: false,
                    attendees: vec![Attendee {
                        address: "carol@example.com".to_owned(),
                        name: Some(name.clone()),
                        role: Default::default(),
                    }],
                },
                &Actor::user("alice@example.com"),
            )
            .await
            .expect("booking created");
        booked.push((booking, body));
    }
    h.push_ok().await;

    let items = h.items("alice@example.com", "calendar").await;
    assert_eq!(
        items.len(),
        SUBJECTS.len(),
        "one item per booking: {items:#?}"
    );
    for (booking, body) in &booked {
        let item = items
            .iter()
            .find(|item| item["subject"].as_str() == Some(booking.subject.as_str()))
            .unwrap_or_else(|| {
                panic!("subject {:?} arrived verbatim: {items:#?}", booking.subject)
            });
        assert_eq!(
            item["body"]["content"].as_str(),
            Some(body.as_str()),
            "{item:#}"
        );
        let required = item["calendar"]["required"].as_array().expect("attendees");
        // The simulator shows the directory's name for a known address, as
        // Exchange does, so only the address list is compared.
        let addresses: Vec<&str> = required
            .iter()
            .filter_map(|attendee| attendee["person"]["address"].as_str())
            .collect();
        assert_eq!(addresses, ["carol@example.com"], "{item:#}");
        assert!(
            required
                .iter()
                .all(|attendee| attendee["person"]["address"] != "mallory@evil.test"),
            "no attendee injected: {item:#}"
        );
    }

    // Reading the room back keeps every text unchanged.
    h.sync_ok(AUTO_ROOM).await;
    for (booking, body) in &booked {
        let stored = h.reload(booking).await;
        assert_eq!(&stored.subject, &booking.subject);
        assert_eq!(&stored.body, body);
    }
}
