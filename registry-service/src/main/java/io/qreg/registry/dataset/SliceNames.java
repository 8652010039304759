package io.qreg.registry.dataset;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyFormatException;
import io.qreg.npy.TensorArchive;
import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.web.ApiException;

import tools.jackson.databind.JsonNode;

/**
 * A dataset's slice names, given as {@code sliceNames} in the upload metadata or as an array of strings
 * {@code slice_names.npy} in the archive (one or the other): the name of slice id {@code i} at index {@code i}. Checked against the {@code slices} array itself, since a name list that does not fit the ids
 * would put a threshold on the wrong samples: every id in the array must have a name, and no name may lie past the
 * largest id.
 */
public final class SliceNames {

    static final String FIELD = "sliceNames";
    /** The archive's array of names, and the field a refusal of it names. */
    static final String ARRAY = "slice_names";
    /** Names appear in policies ({@code sliceThresholds}), verdicts and URLs, so they stay short and plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** How a slice name is spelt, for messages. */
    public static final String NAME_RULE = "1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /** Whether {@code name} is spelt as a slice name may be (the rule policies' sliceThresholds keys follow too). */
    public static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private SliceNames() {
    }

    /**
     * The names from the metadata or the archive, or null when neither gives any; refuses both at once, since two
     * lists could disagree about which samples a threshold is on.
     */
    static Given of(JsonNode metadataNames, StagedFile staged) {
        List<String> fromMetadata = parse(metadataNames);
        List<String> fromArchive;
        try {
            fromArchive = TensorArchive.strings(staged.path(), staged.originalFilename(), ARRAY);
        } catch (NpyFormatException e) {
            throw ApiException.invalid(ARRAY, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (fromMetadata != null && fromArchive != null) {
            throw ApiException.invalid(FIELD, "slice names are given twice, as " + FIELD + " in the metadata and as "
                    + ARRAY + ".npy in the archive; give one");
        }
        if (fromArchive != null) {
            return new Given(distinct(fromArchive, ARRAY), ARRAY);
        }
        return fromMetadata == null ? null : new Given(fromMetadata, FIELD);
    }

    /** Names and the field they came from, which refusals about them name. */
    record Given(List<String> names, String field) {
    }

    private static List<String> distinct(List<String> names, String field) {
        if (names.isEmpty()) {
            throw ApiException.invalid(field, field + " is empty; give one name per slice id or leave it out");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String name : names) {
            if (!isName(name)) {
                throw ApiException.invalid(field, field + " holds names of " + NAME_RULE + ", got '" + name + "'");
            }
            if (!seen.add(name)) {
                throw ApiException.invalid(field, "slice name '" + name + "' is given twice; each slice id needs its"
                        + " own name");
            }
        }
        return new ArrayList<>(seen);
    }

    /** The names in the metadata, or null when it has none. */
    static List<String> parse(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray() || value.isEmpty()) {
            throw ApiException.invalid(FIELD, FIELD + " is a non-empty list of strings, the name of slice id i at"
                    + " index i, e.g. [\"common\", \"rare-fraud\"]");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isString()) {
                throw ApiException.invalid(FIELD, FIELD + " holds names of " + NAME_RULE + ", got " + element);
            }
            names.add(element.asString());
        }
        return distinct(names, FIELD);
    }

    /** Refuses names that do not fit the upload's {@code slices} array, naming the field. */
    static void checkAgainstSlices(Given given, boolean hasSlices, StagedFile staged) {
        if (given == null) {
            return;
        }
        List<String> names = given.names();
        String field = given.field();
        if (!hasSlices) {
            throw ApiException.invalid(field, field + " names the ids of a 'slices' array, but the upload has none;"
                    + " add slices.npy (one slice id per sample) or leave " + field + " out");
        }
        long[] range = idRange(staged);
        if (range[0] < 0) {
            throw ApiException.invalid(field, "the slices array has id " + range[0] + "; named slices have ids 0"
                    + " to " + (names.size() - 1));
        }
        if (range[1] + 1 != names.size()) {
            throw ApiException.invalid(field, field + " has " + names.size() + " names, but the slices array's"
                    + " ids run from " + range[0] + " to " + range[1] + ", which needs " + (range[1] + 1)
                    + " (one name per slice id, id i named at index i)");
        }
    }

    /** The smallest and largest id in the archive's {@code slices.npy}. */
    private static long[] idRange(StagedFile staged) {
        try (ZipFile zip = new ZipFile(staged.path().toFile())) {
            ZipEntry entry = zip.stream().filter(e -> !e.isDirectory() && !e.getName().startsWith("__MACOSX/"))
                    .filter(e -> e.getName().equals(DatasetService.SLICES + ".npy")
                            || e.getName().endsWith("/" + DatasetService.SLICES + ".npy"))
                    .min(Comparator.comparing(ZipEntry::getName)).orElseThrow(() -> ApiException.invalid(FIELD,
                            "the upload has no slices.npy for " + FIELD + " to name"));
            try (InputStream in = new BufferedInputStream(zip.getInputStream(entry))) {
                NpyArray slices = NpyArray.read(in);
                ByteBuffer data = slices.data();
                int itemSize = slices.dtype().itemSize();
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (int i = 0; i + itemSize <= data.limit(); i += itemSize) {
                    long id = switch (slices.dtype()) {
                        case INT64 -> data.getLong(i);
                        case INT32 -> data.getInt(i);
                        case INT8 -> data.get(i);
                        case UINT8 -> data.get(i) & 0xFF;
                        default -> throw ApiException.invalid(FIELD, "slices must hold integer ids");
                    };
                    min = Math.min(min, id);
                    max = Math.max(max, id);
                }
                return new long[] {min, max};
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
