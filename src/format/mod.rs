//! On-disk and wire formats shared by several applets. Pure codecs only: no I/O here.

pub mod envfile;
pub mod json;
pub mod lifecycle;
pub mod passwd;
pub mod status;
pub mod tai;

pub mod civil;
pub mod lines;
pub mod tzif;
pub mod tzrule;
