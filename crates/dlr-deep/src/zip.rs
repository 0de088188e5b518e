//! A minimal reader for zip archives (Python wheels, PyTorch zip checkpoints): central directory,
//! stored and deflated entries. No zip64, no encryption (both rejected with a clear error).

use crate::error::{DeepError, Result};
use std::io::Read;

/// One entry of the central directory.
#[derive(Debug, Clone)]
pub struct ZipEntry {
    /// File name inside the archive.
    pub name: String,
    method: u16,
    compressed_size: usize,
    uncompressed_size: usize,
    local_header_offset: usize,
}

/// A zip archive held in memory.
pub struct ZipArchive<'a> {
    bytes: &'a [u8],
    what: String,
    entries: Vec<ZipEntry>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

impl<'a> ZipArchive<'a> {
    /// Parses the central directory of `bytes`; `what` names the archive in errors.
    pub fn new(bytes: &'a [u8], what: &str) -> Result<Self> {
        let bad = |r: &str| DeepError::format(what, format!("zip: {r}"));
        if bytes.len() < 22 {
            return Err(bad("too short"));
        }
        let lo = bytes.len().saturating_sub(22 + 65535);
        let eocd = (lo..=bytes.len() - 22)
            .rev()
            .find(|&i| u32_at(bytes, i) == Some(0x0605_4b50))
            .ok_or_else(|| bad("no end-of-central-directory record"))?;
        let count = u16_at(bytes, eocd + 10).ok_or_else(|| bad("truncated"))? as usize;
        let cd_off = u32_at(bytes, eocd + 16).ok_or_else(|| bad("truncated"))?;
        if cd_off == u32::MAX || count == 0xFFFF {
            return Err(bad("zip64 archives are not supported"));
        }
        let mut entries = Vec::with_capacity(count);
        let mut p = cd_off as usize;
        for _ in 0..count {
            if u32_at(bytes, p) != Some(0x0201_4b50) {
                return Err(bad("corrupt central directory"));
            }
            let rd16 = |o| u16_at(bytes, p + o).ok_or_else(|| bad("truncated"));
            let rd32 = |o| u32_at(bytes, p + o).ok_or_else(|| bad("truncated"));
            let flags = rd16(8)?;
            let method = rd16(10)?;
            let csize = rd32(20)? as usize;
            let usize_ = rd32(24)? as usize;
            let nlen = rd16(28)? as usize;
            let elen = rd16(30)? as usize;
            let clen = rd16(32)? as usize;
            let local = rd32(42)? as usize;
            let name = bytes
                .get(p + 46..p + 46 + nlen)
                .ok_or_else(|| bad("truncated name"))?;
            if flags & 1 != 0 {
                return Err(bad("encrypted entries are not supported"));
            }
            entries.push(ZipEntry {
                name: String::from_utf8_lossy(name).into_owned(),
                method,
                compressed_size: csize,
                uncompressed_size: usize_,
                local_header_offset: local,
            });
            p += 46 + nlen + elen + clen;
        }
        Ok(Self {
            bytes,
            what: what.to_string(),
            entries,
        })
    }

    /// All entries in directory order.
    pub fn entries(&self) -> &[ZipEntry] {
        &self.entries
    }

    /// The first entry whose name satisfies `pred`.
    pub fn find(&self, pred: impl Fn(&str) -> bool) -> Option<&ZipEntry> {
        self.entries.iter().find(|e| pred(&e.name))
    }

    /// The uncompressed content of `entry`.
    pub fn read(&self, entry: &ZipEntry) -> Result<Vec<u8>> {
        let bad =
            |r: String| DeepError::format(&self.what, format!("zip entry {}: {r}", entry.name));
        let b = self.bytes;
        let p = entry.local_header_offset;
        if u32_at(b, p) != Some(0x0403_4b50) {
            return Err(bad("bad local header".into()));
        }
        let nlen = u16_at(b, p + 26).ok_or_else(|| bad("truncated".into()))? as usize;
        let elen = u16_at(b, p + 28).ok_or_else(|| bad("truncated".into()))? as usize;
        let start = p + 30 + nlen + elen;
        let data = b
            .get(start..start + entry.compressed_size)
            .ok_or_else(|| bad("truncated data".into()))?;
        match entry.method {
            0 => Ok(data.to_vec()),
            8 => {
                let mut out = Vec::with_capacity(entry.uncompressed_size);
                flate2::read::DeflateDecoder::new(data)
                    .read_to_end(&mut out)
                    .map_err(|e| bad(format!("inflate failed: {e}")))?;
                if out.len() != entry.uncompressed_size {
                    return Err(bad("inflated size differs from the directory".into()));
                }
                Ok(out)
            }
            m => Err(bad(format!("compression method {m} is not supported"))),
        }
    }
}
