//! On-disk and wire formats shared by several applets. Pure codecs only: no I/O here.

pub mod tai;
