//! Integration tests for tai64nlocal.
