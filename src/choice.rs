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

/// Declares a closed set: the enum (serialized by its names), its [`Choice`]
/// description, and `as_str`, from one list of `Variant = "name": "help"`.
macro_rules! choice {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal : $help:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $crate::choice::Choice for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            fn help(self) -> &'static str {
                match self { $($name::$variant => $help),+ }
            }
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                $crate::choice::Choice::name(self)
            }
        }
    };
}
pub(crate) use choice;
