package io.qreg.worker.audit;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A signed tree head: the log had {@code treeSize} events whose Merkle root was {@code rootHash}
 * (lower-case hex) at {@code timestamp}, signed with Ed25519 ({@code signature}, base64) over
 * {@link #signingPayload}.
 */
public record TreeHead(long treeSize, String rootHash, Instant timestamp, String signature) {

    /** The first line of every signing payload: names the format, so a signature means nothing elsewhere. */
    public static final String PAYLOAD_VERSION = "qreg-audit-tree-head/v1";

    /** Signs the tree of {@code treeSize} leaves with root {@code root}, timestamped {@code at} (to the millisecond). */
    public static TreeHead sign(long treeSize, byte[] root, Instant at, PrivateKey key) {
        Instant timestamp = at.truncatedTo(ChronoUnit.MILLIS);
        String rootHex = HexFormat.of().formatHex(root);
        byte[] signature = Ed25519Keys.sign(key, signingPayload(treeSize, rootHex, timestamp));
        return new TreeHead(treeSize, rootHex, timestamp, Base64.getEncoder().encodeToString(signature));
    }

    /**
     * The signed bytes, UTF-8 of: {@code qreg-audit-tree-head/v1\n<treeSize>\n<rootHash hex>\n<timestamp>\n},
     * the timestamp as {@link Instant#toString()} prints it.
     */
    public static byte[] signingPayload(long treeSize, String rootHashHex, Instant timestamp) {
        return (PAYLOAD_VERSION + "\n" + treeSize + "\n" + rootHashHex + "\n" + timestamp + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the signature is {@code key}'s over this head's fields (false for any malformed field). */
    public boolean verify(PublicKey key) {
        try {
            if (treeSize < 0 || rootHash == null || !rootHash.matches("[0-9a-f]{64}") || timestamp == null
                    || signature == null) {
                return false;
            }
            return Ed25519Keys.verify(key, signingPayload(treeSize, rootHash, timestamp),
                    Base64.getDecoder().decode(signature));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public byte[] rootBytes() {
        return HexFormat.of().parseHex(rootHash);
    }
}
