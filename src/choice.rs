//! Closed sets of named values (a grant, a client-authentication method, a store
//! backend) described once, where they are defined: their names, in the spelling of
//! the configuration file and the command line, and a line of help each. The
//! command line builds its parsers and completions from this (`cli.rs`); the domain
//! types stay free of clap.

pub trait Choice: Copy + Send + Sync + 'static {
    /// Every value, in the order help lists them.
    const ALL: &'static [Self];
    /// The value's name in the configuration file and on the command line.
    fn name(self) -> &'static str;
    /// One line saying what it means.
    fn help(self) -> &'static str;
}
