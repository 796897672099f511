using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace ShippyarDr.Encryption;

/// <summary>
/// The packets in front of an encrypted message that seal its random AES-256 session key: for a passphrase a
/// symmetric-key packet (S2K derived once per backup, the session key encrypted under it), for recipients one
/// public-key packet each. The session key is ours, so the bulk encryption can run on the platform's AES
/// (<see cref="CfbEncryptStream"/>) while BouncyCastle does the public-key part it does well.
/// </summary>
internal static class SessionKeyPackets
{
    public const int KeySize = 32;
    private const byte Aes256 = (byte)SymmetricKeyAlgorithmTag.Aes256;

    /// <summary>A symmetric-key encrypted session key packet (v4, RFC 4880 §5.3) sealing <paramref name="sessionKey"/>.</summary>
    public static byte[] ForPassphrase(S2k s2k, byte[] s2kKey, byte[] sessionKey)
    {
        // The sealed session info is the algorithm byte and the key, in CFB with a zero IV under the S2K key.
        var info = new byte[1 + KeySize];
        info[0] = Aes256;
        sessionKey.CopyTo(info, 1);
        var sealedInfo = Cfb(s2kKey, info, encrypt: true);
        CryptographicOperations.ZeroMemory(info);
        using var ms = new MemoryStream();
        using (var bcpg = new BcpgOutputStream(ms))
            SymmetricKeyEncSessionPacket.CreateV4Packet(SymmetricKeyAlgorithmTag.Aes256, s2k, sealedInfo).Encode(bcpg);
        return ms.ToArray();
    }

    /// <summary>
    /// One public-key encrypted session key packet per recipient, made by BouncyCastle (RSA, ElGamal, ECDH on any
    /// curve) around <paramref name="sessionKey"/>: its generator draws the session key as its first 32 random
    /// bytes, which we supply. That it used ours is then proven, not assumed: a known plaintext it encrypted must
    /// decrypt under our key, or nothing is written.
    /// </summary>
    public static byte[] ForRecipients(IEnumerable<PgpPublicKey> recipients, byte[] sessionKey)
    {
        var generator = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, withIntegrityPacket: true, new SessionKeyRandom(sessionKey));
        foreach (var key in recipients) generator.AddMethod(key);
        using var capture = new MemoryStream();
        var probe = generator.Open(capture, new byte[512]);
        var known = new byte[2048];
        probe.Write(known, 0, known.Length);
        var bytes = capture.ToArray();
        var seipd = FindPacket(bytes, tag: 18);
        if (seipd < 0 || !SealedWith(bytes.AsSpan(seipd), sessionKey))
            throw new InvalidOperationException("BouncyCastle did not seal the expected session key: this BouncyCastle version draws its randomness differently.");
        return bytes[..seipd];
    }

    /// <summary>CFB with a zero IV over a few bytes, either way: whole blocks through the cipher, the result cut to length.</summary>
    private static byte[] Cfb(byte[] key, ReadOnlySpan<byte> data, bool encrypt)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var padded = new byte[(data.Length + 15) / 16 * 16];
        data.CopyTo(padded);
        var result = encrypt
            ? aes.EncryptCfb(padded, new byte[16], PaddingMode.None, feedbackSizeInBits: 128)
            : aes.DecryptCfb(padded, new byte[16], PaddingMode.None, feedbackSizeInBits: 128);
        CryptographicOperations.ZeroMemory(padded);
        return result[..data.Length];
    }

    /// <summary>Offset of the first packet with this tag, walking the packet headers (new or old format).</summary>
    private static int FindPacket(byte[] bytes, int tag)
    {
        var at = 0;
        while (at < bytes.Length)
        {
            var b = bytes[at];
            if ((b & 0x80) == 0) return -1;
            int packetTag, headerLength;
            long bodyLength;
            if ((b & 0x40) != 0)
            {
                packetTag = b & 0x3F;
                if (packetTag == tag) return at;
                var l0 = bytes[at + 1];
                (headerLength, bodyLength) = l0 switch
                {
                    < 192 => (2, l0),
                    < 224 => (3, ((l0 - 192) << 8) + bytes[at + 2] + 192),
                    255 => (6, (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 2))),
                    _ => (0, -1), // partial lengths appear only in data packets
                };
            }
            else
            {
                packetTag = (b >> 2) & 0x0F;
                if (packetTag == tag) return at;
                var n = (b & 3) switch { 0 => 1, 1 => 2, 2 => 4, _ => 0 };
                headerLength = 1 + n;
                bodyLength = 0;
                for (var i = 0; i < n; i++) bodyLength = (bodyLength << 8) | bytes[at + 1 + i];
                if (n == 0) bodyLength = -1;
            }
            if (bodyLength < 0) return -1;
            at += headerLength + (int)bodyLength;
        }
        return -1;
    }

    /// <summary>Whether the SEIPD packet at the start of <paramref name="packet"/> decrypts to the probe's prefix and zeros.</summary>
    private static bool SealedWith(ReadOnlySpan<byte> packet, byte[] sessionKey)
    {
        // New-format tag, one partial-length byte (512 = 2^9), version 1, then at least a prefix and 512 zeros.
        if (packet.Length < 3 + 18 + 512 || packet[1] != 0xE9 || packet[2] != 1) return false;
        // The first partial chunk (512 bytes) after the version byte.
        ReadOnlySpan<byte> plain = Cfb(sessionKey, packet.Slice(3, 511), encrypt: false);
        return plain[14] == plain[16] && plain[15] == plain[17] && !plain[18..].ContainsAnyExcept((byte)0);
    }

    /// <summary>Randomness for BouncyCastle's generator whose first 32-byte draw is the session key we chose.</summary>
    private sealed class SessionKeyRandom : SecureRandom
    {
        private byte[]? _sessionKey;

        public SessionKeyRandom(byte[] sessionKey) => _sessionKey = sessionKey;

        public override void NextBytes(byte[] buf) => NextBytes(buf, 0, buf.Length);

        public override void NextBytes(byte[] buf, int off, int len)
        {
            if (_sessionKey is not null && len == KeySize)
            {
                _sessionKey.CopyTo(buf, off);
                _sessionKey = null;
                return;
            }
            base.NextBytes(buf, off, len);
        }

        public override void NextBytes(Span<byte> buffer)
        {
            if (_sessionKey is not null && buffer.Length == KeySize)
            {
                _sessionKey.CopyTo(buffer);
                _sessionKey = null;
                return;
            }
            base.NextBytes(buffer);
        }
    }
}
