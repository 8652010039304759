package io.qreg.engine.trainedlm;

import io.qreg.npy.NpyArray;

/**
 * Byte ids [sequences, length] as the fixtures store them, with optional next-byte labels (the eval split's labels
 * give the byte after each sequence's last position; without them that position has no label).
 */
record ByteSequences(long[] ids, long[] labels, int sequences, int length) {

    static ByteSequences of(NpyArray ids, NpyArray labels) {
        long[] shape = ids.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("byte ids must be [sequences, length], got " + shape.length + " axes");
        }
        return new ByteSequences(ids.toLongArray(), labels == null ? null : labels.toLongArray(), (int) shape[0],
                (int) shape[1]);
    }

    int id(int sequence, int position) {
        return (int) ids[sequence * length + position];
    }

    int label(int sequence, int position) {
        if (labels != null) {
            return (int) labels[sequence * length + position];
        }
        return id(sequence, position + 1);
    }

    /** Writes the {@code context} ids ending at {@code position}, oldest first, PAD before the sequence starts. */
    void context(int sequence, int position, int context, int[] out, int offset) {
        for (int p = 0; p < context; p++) {
            int at = position - context + 1 + p;
            out[offset + p] = at < 0 ? ByteMlpLmConfig.PAD : id(sequence, at);
        }
    }
}
