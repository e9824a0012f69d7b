//! What the server does to an uploaded photo before keeping it: proves the bytes are a JPEG that decodes,
//! takes out every metadata segment (EXIF with its GPS position, XMP, comments), and makes a thumbnail.
//! A photo the app prepared is kept byte for byte apart from the stripped segments; anything larger than
//! the app makes, or turned by an EXIF orientation, is redrawn upright at the app's size.

use std::io::Cursor;

use domain::photo::{fit_within, MAX_EDGE, THUMBNAIL_EDGE};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use img_parts::jpeg::{markers, Jpeg};

/// Re-encoding quality when the server has to redraw a photo, and of thumbnails.
const JPEG_QUALITY: u8 = 85;
/// No phone camera comes near these; a "photo" beyond them is an attempt to exhaust memory. The app sends
/// at most `MAX_EDGE` on the long side, so only a photo from elsewhere comes near them at all.
pub const MAX_DECODED_SIDE: u32 = 12_000;
pub const MAX_DECODED_PIXELS: u64 = 24_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedPhoto {
    /// The original as stored: a JPEG without metadata, at most `MAX_EDGE` on its long side.
    pub original: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRejection {
    #[error("the bytes are not a JPEG image")]
    NotJpeg,
    #[error("the JPEG does not decode: {0}")]
    Undecodable(String),
    /// Read from the JPEG's header, before a single pixel is decoded.
    #[error("the JPEG declares {width}×{height} pixels")]
    TooManyPixels { width: u32, height: u32 },
}

pub fn prepare(bytes: &[u8]) -> Result<PreparedPhoto, ImageRejection> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageRejection::Undecodable(e.to_string()))?;
    if reader.format() != Some(ImageFormat::Jpeg) {
        return Err(ImageRejection::NotJpeg);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    reader.limits(limits);
    let undecodable = |e: image::ImageError| ImageRejection::Undecodable(e.to_string());
    // Reads the header only: the declared size is known before any memory goes to pixels.
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => declared_size(bytes),
        e => undecodable(e),
    })?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_DECODED_PIXELS {
        return Err(ImageRejection::TooManyPixels { width, height });
    }
    let orientation = decoder.orientation().map_err(undecodable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    // A decoder may fill a cut-off scan with grey; a complete JPEG ends with its end-of-image marker.
    if !bytes.ends_with(&[0xFF, markers::EOI]) {
        return Err(ImageRejection::Undecodable("the image is cut off".into()));
    }
    let original = if orientation == Orientation::NoTransforms
        && image.width().max(image.height()) <= MAX_EDGE
    {
        strip_metadata(bytes)?
    } else {
        image.apply_orientation(orientation);
        let (width, height) = fit_within(image.width(), image.height(), MAX_EDGE);
        image = image.resize_exact(width, height, FilterType::Lanczos3);
        encode(&image)?
    };
    let (width, height) = fit_within(image.width(), image.height(), THUMBNAIL_EDGE);
    let thumbnail = encode(&image.thumbnail_exact(width, height))?;
    Ok(PreparedPhoto {
        original,
        thumbnail,
        width: image.width(),
        height: image.height(),
    })
}

/// The size a JPEG whose header went past the side limit declares, for the message.
fn declared_size(bytes: &[u8]) -> ImageRejection {
    match ImageReader::with_format(Cursor::new(bytes), ImageFormat::Jpeg).into_dimensions() {
        Ok((width, height)) => ImageRejection::TooManyPixels { width, height },
        Err(e) => ImageRejection::Undecodable(e.to_string()),
    }
}

/// Drops every APP1–APP15 segment (EXIF, XMP, ICC, maker notes) and comments; APP0 (JFIF) only says
/// how to read the pixels.
fn strip_metadata(bytes: &[u8]) -> Result<Vec<u8>, ImageRejection> {
    let mut jpeg = Jpeg::from_bytes(bytes::Bytes::copy_from_slice(bytes))
        .map_err(|e| ImageRejection::Undecodable(e.to_string()))?;
    jpeg.segments_mut().retain(|segment| {
        let marker = segment.marker();
        !((markers::APP1..=markers::APP15).contains(&marker) || marker == markers::COM)
    });
    let mut out = Vec::with_capacity(bytes.len());
    jpeg.encoder()
        .write_to(&mut out)
        .map_err(|e| ImageRejection::Undecodable(e.to_string()))?;
    Ok(out)
}

fn encode(image: &DynamicImage) -> Result<Vec<u8>, ImageRejection> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&DynamicImage::ImageRgb8(image.to_rgb8()))
        .map_err(|e| ImageRejection::Undecodable(e.to_string()))?;
    Ok(out)
}
