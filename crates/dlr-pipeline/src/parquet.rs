//! A small Apache Parquet writer for feature tables: UTF-8 string and `f64` columns, all
//! `REQUIRED`, one row group, one uncompressed PLAIN data page (v1) per column, Thrift
//! compact-protocol metadata. NaN is written as an IEEE NaN (Parquet has no "empty" double);
//! no statistics are written, so NaN cannot mislead a reader's min/max.
//!
//! This is the subset of the format (<https://github.com/apache/parquet-format>) that pyarrow,
//! pandas, polars, DuckDB and R's arrow read; the test fixture
//! `tests/fixtures/parquet_small.json` is pyarrow's reading of a file written here
//! (`tools/table/read_parquet.py`). The `parquet` crate was measured instead and not taken: it
//! adds over 100 s of CPU to a clean build even without default features (see
//! `docs/decisions/parquet-writer.md`).

use crate::error::{PipelineError, Result};
use std::path::Path;

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// UTF-8 strings (Parquet `BYTE_ARRAY`, logical type `STRING`).
    Utf8(Vec<String>),
    /// Doubles, NaN allowed (Parquet `DOUBLE`).
    F64(Vec<f64>),
}

impl ColumnData {
    fn len(&self) -> usize {
        match self {
            ColumnData::Utf8(v) => v.len(),
            ColumnData::F64(v) => v.len(),
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct ParquetColumn {
    /// Column name (unique within the table).
    pub name: String,
    /// Its values, one per row.
    pub data: ColumnData,
}

impl ParquetColumn {
    /// A string column.
    pub fn utf8(name: impl Into<String>, values: Vec<String>) -> Self {
        Self {
            name: name.into(),
            data: ColumnData::Utf8(values),
        }
    }

    /// A double column.
    pub fn f64(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            data: ColumnData::F64(values),
        }
    }
}

// Parquet enum values (parquet.thrift).
const TYPE_DOUBLE: i32 = 5;
const TYPE_BYTE_ARRAY: i32 = 6;
const REPETITION_REQUIRED: i32 = 0;
const CONVERTED_UTF8: i32 = 0;
const ENCODING_PLAIN: i32 = 0;
const ENCODING_RLE: i32 = 3;
const CODEC_UNCOMPRESSED: i32 = 0;
const PAGE_DATA: i32 = 0;

// Thrift compact-protocol type ids.
const CT_I32: u8 = 5;
const CT_I64: u8 = 6;
const CT_BINARY: u8 = 8;
const CT_LIST: u8 = 9;
const CT_STRUCT: u8 = 12;

/// Thrift compact-protocol encoder (only what the Parquet metadata needs).
struct Compact {
    buf: Vec<u8>,
    last_field: Vec<i16>,
}

impl Compact {
    fn new() -> Self {
        Self {
            buf: Vec::new(),
            last_field: vec![0],
        }
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    fn zigzag(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn field(&mut self, id: i16, ty: u8) {
        let last = self.last_field.last().copied().unwrap_or(0);
        let delta = id - last;
        if (1..=15).contains(&delta) {
            self.buf.push(((delta as u8) << 4) | ty);
        } else {
            self.buf.push(ty);
            self.zigzag(i64::from(id));
        }
        if let Some(l) = self.last_field.last_mut() {
            *l = id;
        }
    }

    fn i32_field(&mut self, id: i16, v: i32) {
        self.field(id, CT_I32);
        self.zigzag(i64::from(v));
    }

    fn i64_field(&mut self, id: i16, v: i64) {
        self.field(id, CT_I64);
        self.zigzag(v);
    }

    fn binary(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    fn string_field(&mut self, id: i16, s: &str) {
        self.field(id, CT_BINARY);
        self.binary(s.as_bytes());
    }

    fn list_header(&mut self, len: usize, elem: u8) {
        if len < 15 {
            self.buf.push(((len as u8) << 4) | elem);
        } else {
            self.buf.push(0xF0 | elem);
            self.varint(len as u64);
        }
    }

    fn list_field(&mut self, id: i16, len: usize, elem: u8) {
        self.field(id, CT_LIST);
        self.list_header(len, elem);
    }

    /// Starts a struct value (as a field, a list element or the top level).
    fn begin(&mut self) {
        self.last_field.push(0);
    }

    fn struct_field(&mut self, id: i16) {
        self.field(id, CT_STRUCT);
        self.begin();
    }

    fn end(&mut self) {
        self.buf.push(0);
        self.last_field.pop();
    }
}

/// PLAIN-encoded values of a column and its Parquet physical type.
fn plain_values(data: &ColumnData) -> (i32, Vec<u8>) {
    match data {
        ColumnData::F64(v) => {
            let mut out = Vec::with_capacity(v.len() * 8);
            for x in v {
                out.extend_from_slice(&x.to_le_bytes());
            }
            (TYPE_DOUBLE, out)
        }
        ColumnData::Utf8(v) => {
            let mut out = Vec::with_capacity(v.iter().map(|s| s.len() + 4).sum());
            for s in v {
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            (TYPE_BYTE_ARRAY, out)
        }
    }
}

fn page_header(num_values: i32, size: i32) -> Vec<u8> {
    let mut c = Compact::new();
    c.i32_field(1, PAGE_DATA);
    c.i32_field(2, size); // uncompressed_page_size
    c.i32_field(3, size); // compressed_page_size
    c.struct_field(5); // data_page_header
    c.i32_field(1, num_values);
    c.i32_field(2, ENCODING_PLAIN);
    c.i32_field(3, ENCODING_RLE); // definition levels (none: all columns are REQUIRED)
    c.i32_field(4, ENCODING_RLE); // repetition levels (none)
    c.end();
    c.buf.push(0); // end of PageHeader
    c.buf
}

struct ChunkMeta {
    physical: i32,
    data_page_offset: i64,
    size: i64,
}

fn to_i32(v: usize, what: &str) -> Result<i32> {
    i32::try_from(v).map_err(|_| {
        PipelineError::Unsupported(format!(
            "Parquet output: {what} of {v} exceeds the 2 GiB page limit of this writer"
        ))
    })
}

/// Encodes `columns` as a complete Parquet file (`created_by` names the writing program).
///
/// Errors: no columns, columns of different lengths, or duplicate column names.
pub fn encode(columns: &[ParquetColumn], created_by: &str) -> Result<Vec<u8>> {
    let first = columns
        .first()
        .ok_or_else(|| PipelineError::Data("Parquet output: the table has no columns".into()))?;
    let rows = first.data.len();
    for c in columns {
        if c.data.len() != rows {
            return Err(PipelineError::Data(format!(
                "Parquet output: column {:?} has {} values, column {:?} has {rows}",
                c.name,
                c.data.len(),
                first.name
            )));
        }
        if columns.iter().filter(|d| d.name == c.name).count() > 1 {
            return Err(PipelineError::Data(format!(
                "Parquet output: column name {:?} appears more than once",
                c.name
            )));
        }
    }
    let num_values = to_i32(rows, "row count")?;
    let mut out = b"PAR1".to_vec();
    let mut chunks = Vec::with_capacity(columns.len());
    for c in columns {
        let (physical, values) = plain_values(&c.data);
        let header = page_header(num_values, to_i32(values.len(), "column size")?);
        let offset = out.len() as i64;
        out.extend_from_slice(&header);
        out.extend_from_slice(&values);
        chunks.push(ChunkMeta {
            physical,
            data_page_offset: offset,
            size: (header.len() + values.len()) as i64,
        });
    }
    let total: i64 = chunks.iter().map(|c| c.size).sum();

    let mut m = Compact::new();
    m.i32_field(1, 1); // version
    m.list_field(2, columns.len() + 1, CT_STRUCT); // schema
    m.begin(); // root
    m.string_field(4, "schema");
    m.i32_field(5, to_i32(columns.len(), "column count")?);
    m.end();
    for c in columns {
        m.begin();
        let physical = match c.data {
            ColumnData::F64(_) => TYPE_DOUBLE,
            ColumnData::Utf8(_) => TYPE_BYTE_ARRAY,
        };
        m.i32_field(1, physical);
        m.i32_field(3, REPETITION_REQUIRED);
        m.string_field(4, &c.name);
        if matches!(c.data, ColumnData::Utf8(_)) {
            m.i32_field(6, CONVERTED_UTF8);
            m.struct_field(10); // logicalType (union)
            m.struct_field(1); // STRING: StringType {}
            m.end();
            m.end();
        }
        m.end();
    }
    m.i64_field(3, rows as i64); // num_rows
    m.list_field(4, 1, CT_STRUCT); // row_groups
    m.begin();
    m.list_field(1, chunks.len(), CT_STRUCT); // columns
    for (c, k) in columns.iter().zip(&chunks) {
        m.begin(); // ColumnChunk
        m.i64_field(2, k.data_page_offset); // file_offset
        m.struct_field(3); // meta_data
        m.i32_field(1, k.physical);
        m.list_field(2, 2, CT_I32); // encodings
        m.zigzag(i64::from(ENCODING_PLAIN));
        m.zigzag(i64::from(ENCODING_RLE));
        m.list_field(3, 1, CT_BINARY); // path_in_schema
        m.binary(c.name.as_bytes());
        m.i32_field(4, CODEC_UNCOMPRESSED);
        m.i64_field(5, rows as i64); // num_values
        m.i64_field(6, k.size); // total_uncompressed_size
        m.i64_field(7, k.size); // total_compressed_size
        m.i64_field(9, k.data_page_offset);
        m.end();
        m.end();
    }
    m.i64_field(2, total); // total_byte_size
    m.i64_field(3, rows as i64); // num_rows
    m.i64_field(5, 4); // file_offset of the first column chunk
    m.i64_field(6, total); // total_compressed_size
    m.end();
    m.string_field(6, created_by);
    m.end();
    let footer = m.buf;
    out.extend_from_slice(&footer);
    out.extend_from_slice(&(to_i32(footer.len(), "footer size")? as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    Ok(out)
}

/// Writes `columns` as a Parquet file at `path`, atomically (temp file + rename).
pub fn write(path: &Path, columns: &[ParquetColumn]) -> Result<()> {
    let bytes = encode(
        columns,
        concat!("dlradiomics version ", env!("CARGO_PKG_VERSION")),
    )?;
    crate::store::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_protocol_matches_the_thrift_spec() {
        let mut c = Compact::new();
        c.i32_field(1, 1); // short form: delta 1, type 5, zigzag(1) = 2
        c.i64_field(3, -2); // delta 2, type 6, zigzag(-2) = 3
        c.i32_field(20, 300); // long form: type byte, zigzag(20) = 40, zigzag(300) = 600
        c.list_header(20, CT_I32);
        assert_eq!(
            c.buf,
            [0x15, 0x02, 0x26, 0x03, 0x05, 40, 0xD8, 0x04, 0xF5, 20]
        );
    }

    #[test]
    fn file_has_magic_and_footer_length() {
        let cols = [
            ParquetColumn::utf8("id", vec!["a".into()]),
            ParquetColumn::f64("x", vec![f64::NAN]),
        ];
        let b = encode(&cols, "t").unwrap();
        assert_eq!(&b[..4], b"PAR1");
        assert_eq!(&b[b.len() - 4..], b"PAR1");
        let n = u32::from_le_bytes(b[b.len() - 8..b.len() - 4].try_into().unwrap()) as usize;
        assert!(n > 0 && n < b.len() - 12);
    }

    #[test]
    fn bad_tables_are_refused() {
        assert!(encode(&[], "t").is_err());
        let uneven = [
            ParquetColumn::utf8("id", vec!["a".into(), "b".into()]),
            ParquetColumn::f64("x", vec![1.0]),
        ];
        assert!(encode(&uneven, "t")
            .unwrap_err()
            .to_string()
            .contains("has 1 values"));
        let dup = [
            ParquetColumn::f64("x", vec![1.0]),
            ParquetColumn::f64("x", vec![2.0]),
        ];
        assert!(encode(&dup, "t").is_err());
    }
}
