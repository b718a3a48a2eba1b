//! Integration tests for readproctitle.
