package io.qreg.registry.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * One canonical JSON form (keys sorted, no whitespace) and its sha256: what recipe hashes,
 * audit digests and evidence digests are computed over, so the same content always hashes alike.
 */
public final class CanonicalJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    private CanonicalJson() {
    }

    public static String write(Object value) {
        // Round-trip through a tree so nested maps and records are ordered alike.
        JsonNode tree = MAPPER.valueToTree(value);
        return MAPPER.writeValueAsString(sortedCopy(tree));
    }

    public static String sha256(Object value) {
        return sha256Hex(write(value));
    }

    public static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    private static JsonNode sortedCopy(JsonNode node) {
        if (node.isObject()) {
            var sorted = MAPPER.createObjectNode();
            node.propertyNames().stream().sorted().forEach(name -> sorted.set(name, sortedCopy(node.get(name))));
            return sorted;
        }
        if (node.isArray()) {
            var array = MAPPER.createArrayNode();
            node.forEach(element -> array.add(sortedCopy(element)));
            return array;
        }
        return node;
    }
}
