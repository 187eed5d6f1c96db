//! Zstandard input as the format defines it, not only its common case: a stream is any
//! number of frames one after the other (`cat a.zst b.zst`, or what `pzstd` writes), some of
//! them skippable frames that carry no data, and a frame's content checksum, when it has
//! one, is verified. A frame that does not check out, or bytes after the last frame that
//! are not one, are a read error (the caller names the file).

use std::io::{self, BufRead, Read};

use ruzstd::decoding::{FrameDecoder, StreamingDecoder};

/// The magic number of a data frame, as its first four bytes.
pub(crate) const FRAME_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Whether `head` starts with a skippable frame (magic 0x184D2A50..=0x184D2A5F).
pub(crate) fn is_skippable(head: &[u8]) -> bool {
    head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]
}

/// Whether `head` starts a Zstandard stream (a data frame or a skippable one).
pub(crate) fn is_zstd(head: &[u8]) -> bool {
    head.starts_with(&FRAME_MAGIC) || is_skippable(head)
}

/// Every frame of a Zstandard stream, decoded in turn.
pub(crate) struct Frames<R: BufRead> {
    state: State<R>,
    /// Frames decoded so far (for messages).
    frames: usize,
}

enum State<R: BufRead> {
    /// Between frames, holding the compressed stream.
    Between(R),
    /// Inside a data frame.
    Frame(Box<StreamingDecoder<R, FrameDecoder>>),
    /// After the end, or after an error.
    Done,
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

impl<R: BufRead> Frames<R> {
    /// Decode `source`, which starts at a frame.
    pub(crate) fn new(source: R) -> Self {
        Frames { state: State::Between(source), frames: 0 }
    }

    /// At a frame boundary: skip skippable frames, start the next data frame, or end.
    fn next_frame(&mut self, mut source: R) -> io::Result<()> {
        loop {
            let head = source.fill_buf()?;
            if head.is_empty() {
                self.state = State::Done;
                return Ok(());
            }
            if is_skippable(head) || (head.len() < 8 && head[0] & 0xf0 == 0x50) {
                let mut header = [0u8; 8];
                source.read_exact(&mut header).map_err(|_| invalid("truncated skippable frame".into()))?;
                let length = u64::from(u32::from_le_bytes([header[4], header[5], header[6], header[7]]));
                let skipped = io::copy(&mut (&mut source).take(length), &mut io::sink())?;
                if skipped < length {
                    return Err(invalid("truncated skippable frame".into()));
                }
                continue;
            }
            if !head.starts_with(&FRAME_MAGIC) {
                return Err(invalid(format!("bytes after frame {} that are not a zstd frame", self.frames)));
            }
            let decoder =
                StreamingDecoder::new(source).map_err(|e| invalid(format!("frame {}: {e}", self.frames + 1)))?;
            self.state = State::Frame(Box::new(decoder));
            return Ok(());
        }
    }
}

impl<R: BufRead> Read for Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(0),
                State::Between(source) => self.next_frame(source)?,
                State::Frame(mut decoder) => {
                    let n = decoder.read(buf)?;
                    if n > 0 || buf.is_empty() {
                        self.state = State::Frame(decoder);
                        return Ok(n);
                    }
                    // The frame is over: check it, then go on with whatever follows.
                    self.frames += 1;
                    let frame = &decoder.decoder;
                    if let (Some(stored), Some(computed)) =
                        (frame.get_checksum_from_data(), frame.get_calculated_checksum())
                    {
                        if stored != computed {
                            return Err(invalid(format!(
                                "frame {}: content checksum {computed:08x} does not match the stored {stored:08x}",
                                self.frames
                            )));
                        }
                    }
                    self.state = State::Between(decoder.into_inner());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compress(text: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(text, ruzstd::encoding::CompressionLevel::Fastest)
    }

    fn decode(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Frames::new(bytes).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn every_frame_and_skippable_frames_are_read() {
        let mut stream = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        stream.extend(compress(b"ann,bob\n"));
        stream.extend([0x5f, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
        stream.extend(compress(b"bob,ann\n"));
        assert!(is_zstd(&stream));
        assert_eq!(decode(&stream).unwrap(), b"ann,bob\nbob,ann\n");
        let mut trailing = compress(b"x\n");
        trailing.extend(b"garbage");
        assert!(decode(&trailing).unwrap_err().to_string().contains("not a zstd frame"));
    }

    #[test]
    fn a_flipped_byte_fails_the_checksum() {
        let text = b"ann,bob,2023-01-01\nbob,ann,2023-01-02\n";
        let mut stored = ruzstd::encoding::compress_to_vec(&text[..], ruzstd::encoding::CompressionLevel::Uncompressed);
        let at = stored.windows(3).position(|w| w == b"bob").unwrap();
        stored[at] = b'B';
        let err = decode(&stored).unwrap_err().to_string();
        assert!(err.contains("checksum"), "{err}");
    }
}
