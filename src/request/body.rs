//! Request bodies from curl-style flags. Files and standard input are streamed, not
//! read whole, when they are the body on their own; everything that can be rebuilt
//! (to follow a 307 or retry after a 401) says so.

use std::io::Read;
use std::path::{Path, PathBuf};

use reqwest::multipart;
use tokio_util::io::ReaderStream;

use crate::error::{Error, Result};

/// The data flags, in the order curl joins them.
#[derive(Default)]
pub struct DataArgs<'a> {
    pub data: &'a [String],
    pub data_raw: &'a [String],
    pub data_binary: &'a [String],
    pub data_urlencode: &'a [String],
    pub json: &'a [String],
    pub form: &'a [String],
    pub upload: Option<&'a Path>,
    pub get: bool,
}

#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Bytes(Vec<u8>),
    /// Streamed from this file.
    File(PathBuf),
    /// Streamed from standard input: cannot be sent twice.
    Stdin,
    /// `-F` fields: (name, value or @file).
    Multipart(Vec<(String, String)>),
}

impl Body {
    pub fn replayable(&self) -> bool {
        !matches!(self, Body::Stdin)
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Body::Empty)
    }

    /// Attaches the body to `request`, opening files afresh each time and streaming
    /// them (with their length, so the request is not chunked).
    pub async fn attach(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder> {
        Ok(match self {
            Body::Empty => request,
            Body::Bytes(bytes) => request.body(bytes.clone()),
            Body::File(path) => {
                let (stream, len) = open_stream(path).await?;
                request
                    .header(reqwest::header::CONTENT_LENGTH, len)
                    .body(stream)
            }
            Body::Stdin => request.body(reqwest::Body::wrap_stream(ReaderStream::new(
                tokio::io::stdin(),
            ))),
            Body::Multipart(fields) => {
                let mut form = multipart::Form::new();
                for (name, value) in fields {
                    form = match value.strip_prefix('@') {
                        Some(path) => {
                            let (stream, len) = open_stream(Path::new(path)).await?;
                            let file_name = Path::new(path)
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default();
                            let mime = mime_guess::from_path(path).first_or_octet_stream();
                            let part = multipart::Part::stream_with_length(stream, len)
                                .file_name(file_name)
                                .mime_str(mime.essence_str())
                                .map_err(|e| Error::Usage(format!("-F {name}: {e}")))?;
                            form.part(name.clone(), part)
                        }
                        None => form.text(name.clone(), value.clone()),
                    };
                }
                request.multipart(form)
            }
        })
    }
}

async fn open_stream(path: &Path) -> Result<(reqwest::Body, u64)> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let len = file
        .metadata()
        .await
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?
        .len();
    Ok((reqwest::Body::wrap_stream(ReaderStream::new(file)), len))
}

/// What the data flags ask for: a body (with its content type), or query data for -G.
pub struct Planned {
    pub body: Body,
    pub content_type: Option<&'static str>,
    pub accept_json: bool,
    /// With -G: `a=1&b=2` to append to the URL's query.
    pub query: Option<String>,
}

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

impl Planned {
    /// A body, with the content type it implies (None: the client's, or none).
    fn body(body: Body, content_type: Option<&'static str>) -> Planned {
        Planned {
            body,
            content_type,
            accept_json: false,
            query: None,
        }
    }

    /// A JSON body (`--json`): JSON in, JSON accepted back.
    fn json(body: Body) -> Planned {
        Planned {
            accept_json: true,
            ..Planned::body(body, Some("application/json"))
        }
    }
}

fn read_source(spec: &str, what: &str) -> Result<Vec<u8>> {
    if spec == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io(format!("{what}: cannot read standard input"), e))?;
        return Ok(buf);
    }
    std::fs::read(spec).map_err(|e| Error::io(format!("{what}: cannot read {spec}"), e))
}

/// `@-` streams standard input; `@FILE` streams the file.
fn streamed(source: &str) -> Body {
    if source == "-" {
        Body::Stdin
    } else {
        Body::File(PathBuf::from(source))
    }
}

fn urlencode(bytes: &[u8]) -> String {
    url::form_urlencoded::byte_serialize(bytes).collect()
}

/// curl's --data-urlencode forms: content, =content, name=content, @file, name@file.
fn data_urlencode(spec: &str) -> Result<String> {
    if let Some((name, content)) = spec.split_once('=') {
        return Ok(if name.is_empty() {
            urlencode(content.as_bytes())
        } else {
            format!("{name}={}", urlencode(content.as_bytes()))
        });
    }
    if let Some((name, file)) = spec.split_once('@') {
        let content = read_source(file, "--data-urlencode")?;
        return Ok(if name.is_empty() {
            urlencode(&content)
        } else {
            format!("{name}={}", urlencode(&content))
        });
    }
    Ok(urlencode(spec.as_bytes()))
}

pub fn plan(args: &DataArgs) -> Result<Planned> {
    let data_count =
        args.data.len() + args.data_raw.len() + args.data_binary.len() + args.data_urlencode.len();
    let kinds = [
        data_count > 0,
        !args.json.is_empty(),
        !args.form.is_empty(),
        args.upload.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() > 1 {
        return Err(Error::Usage(
            "use one kind of body: -d/--data*, --json, -F/--form or -T/--upload-file".into(),
        ));
    }
    if let Some(path) = args.upload {
        return Ok(Planned::body(Body::File(path.to_path_buf()), None));
    }
    if !args.form.is_empty() {
        let mut fields = Vec::new();
        for f in args.form {
            let (name, value) = f.split_once('=').ok_or_else(|| {
                Error::Usage(format!("-F {f}: expected NAME=VALUE or NAME=@FILE"))
            })?;
            fields.push((name.to_owned(), value.to_owned()));
        }
        return Ok(Planned::body(Body::Multipart(fields), None));
    }
    if !args.json.is_empty() {
        // A single @file or @- is streamed as is.
        if let [single] = args.json
            && let Some(source) = single.strip_prefix('@')
        {
            return Ok(Planned::json(streamed(source)));
        }
        let mut bytes = Vec::new();
        for j in args.json {
            match j.strip_prefix('@') {
                Some(source) => bytes.extend(read_source(source, "--json")?),
                None => bytes.extend_from_slice(j.as_bytes()),
            }
        }
        return Ok(Planned::json(Body::Bytes(bytes)));
    }
    if data_count == 0 {
        return Ok(Planned::body(Body::Empty, None));
    }
    // A lone --data-binary @file is streamed rather than read into memory.
    if data_count == 1
        && !args.get
        && let [single] = args.data_binary
        && let Some(source) = single.strip_prefix('@')
    {
        return Ok(Planned::body(streamed(source), FORM));
    }
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for d in args.data {
        parts.push(match d.strip_prefix('@') {
            // curl strips carriage returns and newlines from -d @file.
            Some(source) => read_source(source, "-d")?
                .into_iter()
                .filter(|b| *b != b'\n' && *b != b'\r')
                .collect(),
            None => d.as_bytes().to_vec(),
        });
    }
    parts.extend(args.data_raw.iter().map(|d| d.as_bytes().to_vec()));
    for d in args.data_binary {
        parts.push(match d.strip_prefix('@') {
            Some(source) => read_source(source, "--data-binary")?,
            None => d.as_bytes().to_vec(),
        });
    }
    for d in args.data_urlencode {
        parts.push(data_urlencode(d)?.into_bytes());
    }
    let joined = parts.join(&b'&');
    if args.get {
        return Ok(Planned {
            query: Some(String::from_utf8_lossy(&joined).into_owned()),
            ..Planned::body(Body::Empty, None)
        });
    }
    Ok(Planned::body(Body::Bytes(joined), FORM))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn data_flags_join_like_curl() {
        let d = s(&["a=1", "b=2"]);
        let u = s(&["q=hello world", "=x&y", "plain"]);
        let p = plan(&DataArgs {
            data: &d,
            data_urlencode: &u,
            ..Default::default()
        })
        .unwrap();
        let Body::Bytes(b) = p.body else { panic!() };
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "a=1&b=2&q=hello+world&x%26y&plain"
        );
        assert_eq!(p.content_type, Some("application/x-www-form-urlencoded"));
        let p = plan(&DataArgs {
            data: &d,
            get: true,
            ..Default::default()
        })
        .unwrap();
        assert!(p.body.is_empty());
        assert_eq!(p.query.as_deref(), Some("a=1&b=2"));
    }

    #[test]
    fn files_are_read_or_streamed() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("d.txt");
        std::fs::write(&f, "x=1\ny=2\r\n").unwrap();
        let spec = s(&[&format!("@{}", f.display())]);
        let p = plan(&DataArgs {
            data: &spec,
            ..Default::default()
        })
        .unwrap();
        let Body::Bytes(b) = p.body else { panic!() };
        assert_eq!(b, b"x=1y=2");
        let p = plan(&DataArgs {
            data_binary: &spec,
            ..Default::default()
        })
        .unwrap();
        assert!(matches!(p.body, Body::File(_)));
        let p = plan(&DataArgs {
            json: &spec,
            ..Default::default()
        })
        .unwrap();
        assert!(matches!(p.body, Body::File(_)) && p.accept_json);
        let form = s(&["a=1"]);
        assert!(
            plan(&DataArgs {
                data: &spec,
                form: &form,
                ..Default::default()
            })
            .is_err()
        );
    }
}
