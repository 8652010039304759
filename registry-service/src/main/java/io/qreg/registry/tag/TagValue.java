package io.qreg.registry.tag;

/** The body of {@code PUT .../tags/{key}}. */
public record TagValue(String value) {
}
