//! EWS response codes with the message texts Exchange sends for them.

/// A failed response message: an EWS ResponseCode and its MessageText.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EwsError {
    pub(crate) code: &'static str,
    pub(crate) text: String,
    /// BackOffMilliseconds for ErrorServerBusy.
    pub(crate) back_off_ms: Option<u64>,
}

impl EwsError {
    fn new(code: &'static str, text: &str) -> EwsError {
        EwsError {
            code,
            text: text.to_string(),
            back_off_ms: None,
        }
    }

    pub(crate) fn item_not_found() -> EwsError {
        EwsError::new(
            "ErrorItemNotFound",
            "The specified object was not found in the store., The process failed to get the correct properties.",
        )
    }

    pub(crate) fn invalid_id_malformed() -> EwsError {
        EwsError::new("ErrorInvalidIdMalformed", "Id is malformed.")
    }

    pub(crate) fn irresolvable_conflict() -> EwsError {
        EwsError::new(
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
        )
    }

    pub(crate) fn invalid_sync_state() -> EwsError {
        EwsError::new(
            "ErrorInvalidSyncStateData",
            "Synchronization state data is corrupt or otherwise invalid.",
        )
    }

    pub(crate) fn impersonate_user_denied() -> EwsError {
        EwsError::new(
            "ErrorImpersonateUserDenied",
            "The account does not have permission to impersonate the requested user.",
        )
    }

    pub(crate) fn non_existent_mailbox(address: &str) -> EwsError {
        EwsError {
            code: "ErrorNonExistentMailbox",
            text: format!("The SMTP address has no mailbox associated with it. ({address})"),
            back_off_ms: None,
        }
    }

    pub(crate) fn server_busy(back_off_ms: u64) -> EwsError {
        EwsError {
            code: "ErrorServerBusy",
            text: "The server cannot service this request right now. Try again later.".to_string(),
            back_off_ms: Some(back_off_ms),
        }
    }

    pub(crate) fn access_denied() -> EwsError {
        EwsError::new(
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        )
    }

    pub(crate) fn folder_not_found() -> EwsError {
        EwsError::new(
            "ErrorFolderNotFound",
            "The specified folder could not be found in the store.",
        )
    }

    pub(crate) fn invalid_request(detail: &str) -> EwsError {
        EwsError {
            code: "ErrorInvalidRequest",
            text: format!("The request is invalid. {detail}"),
            back_off_ms: None,
        }
    }

    pub(crate) fn schema_validation(detail: &str) -> EwsError {
        EwsError {
            code: "ErrorSchemaValidation",
            text: format!("The request failed schema validation: {detail}"),
            back_off_ms: None,
        }
    }

    pub(crate) fn end_before_start() -> EwsError {
        EwsError::new(
            "ErrorCalendarEndDateIsEarlierThanStartDate",
            "EndDate is earlier than StartDate",
        )
    }

    pub(crate) fn invalid_operation(detail: &str) -> EwsError {
        EwsError {
            code: "ErrorInvalidOperation",
            text: detail.to_string(),
            back_off_ms: None,
        }
    }

    pub(crate) fn no_name_results() -> EwsError {
        EwsError::new("ErrorNameResolutionNoResults", "No results were found.")
    }

    pub(crate) fn invalid_value(detail: &str) -> EwsError {
        EwsError {
            code: "ErrorInvalidRequest",
            text: detail.to_string(),
            back_off_ms: None,
        }
    }

    pub(crate) fn not_a_meeting() -> EwsError {
        EwsError::new(
            "ErrorInvalidReferenceItem",
            "The reference item does not support the requested operation.",
        )
    }
}
