//! One module per subcommand.
pub mod license;
pub mod publiccode;
