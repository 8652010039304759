package io.qreg.registry.tag;

import java.util.Locale;

/** What a tag can be put on; the wire name is the stored {@code subject_kind} and the audit subject type. */
public enum TagSubject {
    MODEL, CHECKPOINT, VARIANT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
