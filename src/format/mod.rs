//! On-disk and wire formats shared by several applets. Pure codecs only: no I/O here.

pub mod envfile;
pub mod hosts;
pub mod ident;
pub mod json;
pub mod lifecycle;
pub mod passwd;
pub mod status;
pub mod tai;

pub mod civil;
pub mod lines;
pub mod tzif;
pub mod tzrule;

pub mod cdb;
pub mod dns;
pub mod ip;
pub mod num;
pub mod resolvconf;
pub mod rules;
