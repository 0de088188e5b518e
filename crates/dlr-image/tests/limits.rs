//! Reader limits: files whose headers claim huge images are refused with
//! [`ImageError::TooLarge`] before any pixel buffer is allocated (a counting allocator checks the
//! largest single allocation), and raising [`ReadLimits`] reads what the defaults refuse.

use dlr_image::{
    read_bytes, read_bytes_with_limits, read_image, read_image_with_limits, Format, ImageError,
    LimitKind, ReadLimits, ReadOptions,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// System allocator that remembers the largest single allocation request.
struct Largest;
static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LARGEST.fetch_max(l.size(), Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LARGEST.fetch_max(new, Ordering::Relaxed);
        System.realloc(p, l, new)
    }
}

#[global_allocator]
static ALLOC: Largest = Largest;

/// Largest single allocation tolerated while refusing a hostile file (the files are < 2 MB).
const SMALL: usize = 64 << 20;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) {
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(body);
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A valid 8-bit grey PNG of `side` x `side` black pixels (900 MB decoded for 30000), built
/// without ever holding the decoded rows: a sync-flushed deflate segment of 100 zero rows is
/// repeated (it references nothing before itself), then a final empty block and the zlib
/// Adler-32 of all-zero data (a = 1, b = length mod 65521).
fn png_bomb(side: u32) -> Vec<u8> {
    let rows_per_seg = 100u32;
    assert_eq!(side % rows_per_seg, 0);
    let raw_seg = vec![0u8; (side as usize + 1) * rows_per_seg as usize];
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut seg = Vec::with_capacity(raw_seg.len() / 100 + 1024);
    let status = c
        .compress_vec(&raw_seg, &mut seg, flate2::FlushCompress::Sync)
        .unwrap();
    assert_eq!(status, flate2::Status::Ok);
    assert_eq!(c.total_in() as usize, raw_seg.len());
    let mut z = vec![0x78, 0x01];
    for _ in 0..side / rows_per_seg {
        z.extend_from_slice(&seg);
    }
    z.extend_from_slice(&[0x03, 0x00]); // final fixed-Huffman block holding only end-of-block
    let total = (u64::from(side) + 1) * u64::from(side);
    let adler = (((total % 65521) as u32) << 16) | 1;
    z.extend_from_slice(&adler.to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, deflate, adaptive, no interlace
    png_chunk(&mut png, b"IHDR", &ihdr);
    for part in z.chunks(1 << 20) {
        png_chunk(&mut png, b"IDAT", part);
    }
    png_chunk(&mut png, b"IEND", &[]);
    png
}

/// Minimal explicit VR little endian DICOM: 16-bit MONOCHROME2 with the given rows, columns
/// and frames, and only `body` bytes of pixel data.
fn dicom_claiming(rows: u16, cols: u16, frames: &str, body: usize) -> Vec<u8> {
    fn elem(out: &mut Vec<u8>, g: u16, e: u16, vr: &[u8; 2], v: &[u8]) {
        out.extend_from_slice(&g.to_le_bytes());
        out.extend_from_slice(&e.to_le_bytes());
        out.extend_from_slice(vr);
        if matches!(vr, b"OB" | b"OW") {
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
        } else {
            out.extend_from_slice(&(v.len() as u16).to_le_bytes());
        }
        out.extend_from_slice(v);
    }
    let mut f = vec![0u8; 128];
    f.extend_from_slice(b"DICM");
    elem(&mut f, 0x0002, 0x0010, b"UI", b"1.2.840.10008.1.2.1\0");
    elem(&mut f, 0x0028, 0x0002, b"US", &1u16.to_le_bytes());
    elem(&mut f, 0x0028, 0x0004, b"CS", b"MONOCHROME2 ");
    let mut fr = frames.as_bytes().to_vec();
    if fr.len() % 2 == 1 {
        fr.push(b' ');
    }
    elem(&mut f, 0x0028, 0x0008, b"IS", &fr);
    elem(&mut f, 0x0028, 0x0010, b"US", &rows.to_le_bytes());
    elem(&mut f, 0x0028, 0x0011, b"US", &cols.to_le_bytes());
    elem(&mut f, 0x0028, 0x0100, b"US", &16u16.to_le_bytes());
    elem(&mut f, 0x0028, 0x0101, b"US", &16u16.to_le_bytes());
    elem(&mut f, 0x0028, 0x0102, b"US", &15u16.to_le_bytes());
    elem(&mut f, 0x0028, 0x0103, b"US", &0u16.to_le_bytes());
    elem(&mut f, 0x7FE0, 0x0010, b"OW", &vec![7u8; body]);
    f
}

fn nifti_claiming(dims: [i16; 3]) -> Vec<u8> {
    let mut n = vec![0u8; 352];
    n[0..4].copy_from_slice(&348i32.to_le_bytes());
    let d = [3, dims[0], dims[1], dims[2], 1, 1, 1, 1];
    for (i, v) in d.iter().enumerate() {
        n[40 + 2 * i..42 + 2 * i].copy_from_slice(&v.to_le_bytes());
    }
    n[70..72].copy_from_slice(&4i16.to_le_bytes()); // int16
    n[72..74].copy_from_slice(&16i16.to_le_bytes());
    for i in 0..4 {
        n[76 + 4 * i..80 + 4 * i].copy_from_slice(&1f32.to_le_bytes());
    }
    n[108..112].copy_from_slice(&352f32.to_le_bytes());
    n[344..348].copy_from_slice(b"n+1\0");
    n.extend_from_slice(&[1, 0, 2, 0, 3, 0, 4, 0]);
    n
}

/// Asserts `r` is a TooLarge error of kind `kind` whose message names `name`, the size found
/// and the limit, and says how to raise it.
fn assert_too_large(r: dlr_image::Result<dlr_image::Image>, kind: LimitKind, name: &str) -> u64 {
    let e = r.expect_err("must be refused");
    let msg = e.to_string();
    let ImageError::TooLarge {
        limit, found, max, ..
    } = &e
    else {
        panic!("{name}: expected TooLarge, got {msg}");
    };
    assert_eq!(*limit, kind, "{msg}");
    assert!(found > max, "{msg}");
    assert!(
        msg.contains(name)
            && msg.contains(&found.to_string())
            && msg.contains(&max.to_string())
            && msg.contains(kind.field())
            && msg.contains("read_image_with_limits"),
        "{msg}"
    );
    *found
}

#[test]
fn hostile_headers_are_refused_before_allocating() {
    // PNG: 30000 x 30000 grey (900 MB decoded) in a file of about 1 MB.
    let bomb = png_bomb(30000);
    assert!(bomb.len() < 2 << 20, "bomb is {} bytes", bomb.len());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bomb.png");
    std::fs::write(&p, &bomb).unwrap();
    let dcm = dicom_claiming(65535, 65535, "1000", 4);
    let nii = nifti_claiming([i16::MAX; 3]);
    let nrrd = b"NRRD0004\ntype: double\ndimension: 3\nsizes: 100000 100000 100000\nencoding: gzip\n\n\x1f\x8b\x08\x00".to_vec();

    LARGEST.store(0, Ordering::Relaxed);
    let found = assert_too_large(read_image(&p), LimitKind::Pixels, "bomb.png");
    assert_eq!(found, 30000 * 30000);
    let found = assert_too_large(
        read_bytes(&dcm, Format::Dicom),
        LimitKind::Pixels,
        "<memory>",
    );
    assert_eq!(found, 65535 * 65535 * 1000);
    let found = assert_too_large(
        read_bytes(&nii, Format::Nifti),
        LimitKind::Pixels,
        "<memory>",
    );
    assert_eq!(found, 32767u64.pow(3));
    let found = assert_too_large(
        read_bytes(&nrrd, Format::Nrrd),
        LimitKind::Pixels,
        "<memory>",
    );
    assert_eq!(found, 100_000u64.pow(3));
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(largest < SMALL, "largest allocation {largest} bytes");

    // The bomb is a valid PNG: raising the pixel limit lets the header check pass and the
    // byte limit refuse it instead (peak: f32 samples and the f32 image, 8 bytes a pixel).
    let raised = ReadLimits::new(1 << 30, ReadLimits::DEFAULT_MAX_BYTES);
    let found = assert_too_large(
        read_image_with_limits(&p, &ReadOptions::default(), &raised),
        LimitKind::Bytes,
        "bomb.png",
    );
    assert_eq!(found, 30000 * 30000 * 8);
    // A small header claim within the limits decodes to the truncation error, not TooLarge.
    let dcm = dicom_claiming(64, 64, "2", 4);
    let e = read_bytes(&dcm, Format::Dicom).unwrap_err().to_string();
    assert!(e.contains("truncated"), "{e}");
    assert!(LARGEST.load(Ordering::Relaxed) < SMALL);
}

#[test]
fn limits_are_settable_both_ways() {
    let tight = ReadLimits::new(10, ReadLimits::DEFAULT_MAX_BYTES);
    let opts = ReadOptions::default();
    // Exactly its pixel count reads the file; one pixel less refuses it.
    let img = read_image(&data("grey16.png")).unwrap();
    let n = img.len() as u64;
    let just = ReadLimits::new(n, ReadLimits::DEFAULT_MAX_BYTES);
    assert_eq!(
        read_image_with_limits(&data("grey16.png"), &opts, &just)
            .unwrap()
            .data(),
        img.data()
    );
    let below = ReadLimits::new(n - 1, ReadLimits::DEFAULT_MAX_BYTES);
    assert_too_large(
        read_image_with_limits(&data("grey16.png"), &opts, &below),
        LimitKind::Pixels,
        "grey16.png",
    );
    // Cine loop (6 x 4 x 5 frames, deflated): 120 pixels; one frame alone is 24.
    let cine = data("cine_deflated.dcm");
    let found = assert_too_large(
        read_image_with_limits(&cine, &opts, &tight),
        LimitKind::Pixels,
        "cine_deflated.dcm",
    );
    assert_eq!(found, 6 * 4 * 5);
    let one = ReadOptions {
        frame: Some(2),
        ..ReadOptions::default()
    };
    let f2 = read_image_with_limits(&cine, &one, &ReadLimits::new(24, 1 << 20)).unwrap();
    assert_eq!(f2.dims(), [6, 4, 1]);
    // Byte limit below the inflated data set: refused while inflating, naming max_bytes.
    assert_too_large(
        read_image_with_limits(&cine, &opts, &ReadLimits::new(1 << 20, 64)),
        LimitKind::Bytes,
        "cine_deflated.dcm",
    );
    // Whole files larger than max_bytes are not read at all.
    let size = std::fs::metadata(data("grey.bmp")).unwrap().len();
    let found = assert_too_large(
        read_image_with_limits(
            &data("grey.bmp"),
            &opts,
            &ReadLimits::new(1 << 20, size - 1),
        ),
        LimitKind::Bytes,
        "grey.bmp",
    );
    assert_eq!(found, size);
    // NIfTI and NRRD under a limit of one voxel less than they hold.
    let nii = nifti_claiming([2, 2, 1]);
    assert_eq!(read_bytes(&nii, Format::Nifti).unwrap().len(), 4);
    assert_too_large(
        read_bytes_with_limits(&nii, Format::Nifti, &opts, &ReadLimits::new(3, 1 << 20)),
        LimitKind::Pixels,
        "<memory>",
    );
    let mut nrrd =
        b"NRRD0004\ntype: ushort\ndimension: 2\nsizes: 2 2\nencoding: raw\nendian: little\n\n"
            .to_vec();
    nrrd.extend_from_slice(&[1, 0, 2, 0, 3, 0, 4, 0]);
    assert_eq!(read_bytes(&nrrd, Format::Nrrd).unwrap().len(), 4);
    assert_too_large(
        read_bytes_with_limits(&nrrd, Format::Nrrd, &opts, &ReadLimits::new(4, 23)),
        LimitKind::Bytes,
        "<memory>",
    );
}
