//! Text that PostgreSQL cannot store or EWS cannot send: rejected as
//! invalid on both databases instead of failing inside the database.

mod support;

use roombridge_domain::{ResponseMode, Room, User};
use roombridge_store::StoreError;
use support::TestDb;

async fn control_characters_in_names(db: &TestDb) {
    for name in ["Room\u{0}", "Room\u{1b}[1m", "Line\nbreak"] {
        let room = Room {
            address: "room-x@example.com".to_owned(),
            display_name: name.to_owned(),
            capacity: None,
            location: None,
            response_mode: ResponseMode::AutoAccept,
        };
        let error = db.store.upsert_room(room).await.unwrap_err();
        let StoreError::Invalid(fields) = error else {
            panic!("{name:?}: expected Invalid, but found {error:?}");
        };
        assert_eq!(fields.len(), 1, "{name:?}: {fields:?}");
        assert_eq!(fields[0].field, "display_name");
        assert!(
            fields[0].message.contains("control character"),
            "{fields:?}"
        );

        let user = User {
            address: "carol@example.com".to_owned(),
            display_name: name.to_owned(),
        };
        let error = db.store.upsert_user(user).await.unwrap_err();
        assert!(
            matches!(error, StoreError::Invalid(_)),
            "{name:?}: {error:?}"
        );
    }
    let unicode = User {
        address: "dana@example.com".to_owned(),
        display_name: "Dana 王 🚀 דנה".to_owned(),
    };
    let saved = db.store.upsert_user(unicode.clone()).await.unwrap();
    assert_eq!(saved.display_name, unicode.display_name);
}

#[tokio::test]
async fn control_characters_in_names_sqlite() {
    control_characters_in_names(&support::sqlite().await).await;
}

#[tokio::test]
async fn control_characters_in_names_postgres() {
    let Some(db) = support::postgres("control_characters_in_names").await else {
        return;
    };
    control_characters_in_names(&db).await;
}
