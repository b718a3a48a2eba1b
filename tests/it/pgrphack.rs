//! Integration tests for pgrphack.
