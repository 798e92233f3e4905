//! The typed ARM client; see issue 4.
