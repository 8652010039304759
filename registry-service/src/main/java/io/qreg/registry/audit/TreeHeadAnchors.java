package io.qreg.registry.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import io.qreg.registry.artifact.WriteOnceStore;
import io.qreg.worker.audit.TreeHead;

import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import lombok.RequiredArgsConstructor;

/**
 * The signed tree heads as write-once objects in the artifact store, the authority verify trusts:
 * {@code audit/tree-heads/<treeSize>-<epoch millis>-<random>.json} (the head, as the API shows it) and,
 * beside it, {@code .leaves}: the leaf hashes of the events the head added to the one before it
 * ({@code qreg-audit-leaves/v1}, the sizes before and after, then one hex hash per line), which lets
 * verify name the first altered event. The leaves are written first, so every listed head has them.
 */
@Component
@RequiredArgsConstructor
class TreeHeadAnchors {

    static final String PREFIX = "audit/tree-heads/";
    private static final String LEAVES_FORMAT = "qreg-audit-leaves/v1";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WriteOnceStore store;

    /** A head as anchored, under its key (without extension). */
    record Anchored(String key, TreeHead head) {
    }

    /** Leaf hashes of the events in ({@code fromSize}, {@code toSize}]. */
    record Leaves(long fromSize, long toSize, List<byte[]> hashes) {
    }

    /** Writes the head and its new leaves under a fresh key; returns the key. */
    String anchor(TreeHead head, long fromSize, List<byte[]> newLeaves) {
        String key = PREFIX + "%020d-%015d-%s".formatted(head.treeSize(), head.timestamp().toEpochMilli(),
                HexFormat.of().formatHex(RANDOM.generateSeed(4)));
        StringBuilder leaves = new StringBuilder(LEAVES_FORMAT).append('\n').append(fromSize).append('\n')
                .append(head.treeSize()).append('\n');
        newLeaves.forEach(hash -> leaves.append(HexFormat.of().formatHex(hash)).append('\n'));
        try {
            if (!store.create(key + ".leaves", leaves.toString().getBytes(StandardCharsets.US_ASCII))
                    || !store.create(key + ".json", JSON.writeValueAsBytes(head))) {
                throw new IllegalStateException("anchor key " + key + " already exists");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot anchor the audit tree head of size " + head.treeSize(), e);
        }
        return key;
    }

    /** Every anchored head, smallest tree first; a head that cannot be parsed is returned as a problem. */
    List<Anchored> all() throws IOException {
        List<Anchored> heads = new ArrayList<>();
        for (String file : store.list(PREFIX)) {
            if (file.endsWith(".json")) {
                String key = file.substring(0, file.length() - ".json".length());
                heads.add(new Anchored(key, parse(store.read(file).orElseThrow())));
            }
        }
        heads.sort(Comparator.comparingLong((Anchored a) -> a.head().treeSize())
                .thenComparing(a -> a.head().timestamp(), Comparator.nullsFirst(Comparator.naturalOrder())));
        return heads;
    }

    Optional<Anchored> newest() throws IOException {
        List<Anchored> all = all();
        return all.stream().max(Comparator.comparing((Anchored a) -> a.head().timestamp()));
    }

    Optional<Leaves> leaves(String key) throws IOException {
        Optional<byte[]> bytes = store.read(key + ".leaves");
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        String[] lines = new String(bytes.get(), StandardCharsets.US_ASCII).split("\n");
        if (lines.length < 3 || !LEAVES_FORMAT.equals(lines[0])) {
            return Optional.empty();
        }
        List<byte[]> hashes = new ArrayList<>(lines.length - 3);
        for (int i = 3; i < lines.length; i++) {
            hashes.add(HexFormat.of().parseHex(lines[i]));
        }
        return Optional.of(new Leaves(Long.parseLong(lines[1]), Long.parseLong(lines[2]), hashes));
    }

    private static TreeHead parse(byte[] json) {
        try {
            return JSON.readValue(json, TreeHead.class);
        } catch (JacksonException e) {
            // An unreadable anchor verifies as a head with no valid signature.
            return new TreeHead(-1, null, null, null);
        }
    }
}
