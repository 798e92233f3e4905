//! The hashes behind `uniqueString()`, `guid()` and `templateHash`.
//!
//! ARM's `uniqueString` joins its arguments with `-`, hashes the UTF-8 bytes with the 64-bit
//! MurmurHash variant of `Microsoft.WindowsAzure.ResourceStack.Common.Algorithms.ComputeHash`
//! (two 32-bit lanes, MurmurHash3-x86 style mixing with their own constants), and writes the
//! 64 bits as 13 characters of the alphabet `a-z2-7`, five bits at a time from the top.
//! `guid` is an RFC 4122 version-5 UUID over ARM's namespace `11fb06fb-712d-4ddd-98c7-e71bbd588830`
//! of the same joined string.
//! The template hash is the same MurmurHash of the upper-cased minified template, in decimal.
//! The sources and the published input/output pairs are named in the tests of this module.

const C1: u32 = 0xab0e_9789;
const C2: u32 = 0x239b_961b;
const F1: u32 = 0x85eb_ca6b;
const F2: u32 = 0xc2b2_ae35;

fn le32(bytes: &[u8]) -> u32 {
    bytes.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (8 * i)))
}

fn fmix(mut h: u32) -> u32 {
    h = (h ^ (h >> 16)).wrapping_mul(F1);
    h = (h ^ (h >> 13)).wrapping_mul(F2);
    h ^ (h >> 16)
}

/// ResourceStack's 64-bit MurmurHash (seed 0).
pub fn murmur64(data: &[u8]) -> u64 {
    let mut h1: u32 = 0;
    let mut h2: u32 = 0;
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let k1 = le32(&block[..4]).wrapping_mul(C2).rotate_left(15).wrapping_mul(C1);
        let k2 = le32(&block[4..]).wrapping_mul(C1).rotate_left(17).wrapping_mul(C2);
        h1 = (h1 ^ k1).rotate_left(19).wrapping_add(h2).wrapping_mul(5).wrapping_add(0x561c_cd1b);
        h2 = (h2 ^ k2).rotate_left(13).wrapping_add(h1).wrapping_mul(5).wrapping_add(0x0bca_a747);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let (first, second) = tail.split_at(tail.len().min(4));
        h1 ^= le32(first).wrapping_mul(C2).rotate_left(15).wrapping_mul(C1);
        if !second.is_empty() {
            h2 ^= le32(second).wrapping_mul(C1).rotate_left(17).wrapping_mul(C2);
        }
    }
    // The length is mixed in as a 32-bit value, as .NET's `int` length would be.
    let len = data.len() as u32;
    h2 ^= len;
    h1 = (h1 ^ len).wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u64::from(h2) << 32) | u64::from(h1)
}

/// `uniqueString(parts...)`.
pub fn unique_string(parts: &[&str]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut h = murmur64(parts.join("-").as_bytes());
    let mut out = String::with_capacity(13);
    for _ in 0..13 {
        out.push(char::from(ALPHABET[(h >> 59) as usize]));
        h <<= 5;
    }
    out
}

/// ARM's namespace for `guid()`, in network byte order.
const ARM_NAMESPACE: [u8; 16] =
    [0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30];

/// A version-5 UUID of `name` in `namespace`, lower-case and hyphenated.
pub fn uuid_v5(namespace: &[u8; 16], name: &[u8]) -> String {
    let mut input = namespace.to_vec();
    input.extend_from_slice(name);
    let digest = sha1(&input);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// `guid(parts...)`.
pub fn guid(parts: &[&str]) -> String {
    uuid_v5(&ARM_NAMESPACE, parts.join("-").as_bytes())
}

/// The `templateHash` of a deployment record: the hash of the upper-cased minified template, in decimal.
pub fn template_hash(template: &serde_json::Value) -> String {
    let text = template.to_string().to_uppercase();
    murmur64(text.as_bytes()).to_string()
}

/// SHA-1 (FIPS 180-4), only for version-5 UUIDs: no crate in the workspace provides it.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5a82_7999),
                20..=39 => (b ^ c ^ d, 0x6ed9_eba1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
                _ => (b ^ c ^ d, 0xca62_c1d6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_known_answers() {
        // FIPS 180-2 appendix A.1 and A.2.
        let hex = |d: [u8; 20]| d.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(hex(sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }

    #[test]
    fn uuid_v5_known_answer() {
        // The Python documentation's example: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
        let dns = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];
        assert_eq!(uuid_v5(&dns, b"python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    }
}
