package io.qreg.npy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * An uploaded tensor file: a single {@code .npy}, or an {@code .npz}/{@code .zip} archive of {@code .npy}
 * entries. The format is decided by the file's first bytes, not its name, because uploads are often
 * renamed; the name is used only to name a lone {@code .npy} array and in messages.
 */
public final class TensorArchive {

    static final String ACCEPTED = "expected a NumPy .npy file, or a .npz/.zip archive of .npy files";

    private static final byte[] ZIP_LOCAL_HEADER = {'P', 'K', 3, 4};
    /** An archive with no entries consists only of its end-of-central-directory record. */
    private static final byte[] ZIP_EMPTY_ARCHIVE = {'P', 'K', 5, 6};
    private static final String NPY_SUFFIX = ".npy";
    /**
     * Arrays of strings that describe an archive's data rather than hold it (a dataset's {@code slice_names}): not
     * tensors, so {@link #inspect} and {@link #load} leave them out; {@link #strings} reads them.
     */
    public static final Set<String> STRING_ARRAYS = Set.of("slice_names");

    private TensorArchive() {
    }

    /** Reads one array from a stream that ends where the array does; the name is the array's name. */
    @FunctionalInterface
    private interface ArrayReader<T> {
        T read(String name, InputStream in, long streamLength) throws IOException;
    }

    /**
     * Validates every array without loading its data: headers are parsed and the data is counted
     * (streamed through a small buffer for archive entries, taken from the file size for a lone
     * {@code .npy}), so each array is exactly shape × item size bytes.
     *
     * @param originalFilename the name the file was uploaded as (may be {@code null}: the file's own name is used)
     * @return the arrays ordered by name
     * @throws NpyFormatException naming the file or array at fault
     */
    public static List<NpyArrayInfo> inspect(Path file, String originalFilename) throws IOException {
        Map<String, NpyArrayInfo> arrays = readAll(file, originalFilename, (name, in, streamLength) -> {
            NpyArrayInfo info = NpyHeader.read(in).withName(name);
            long actual = streamLength >= 0
                    ? streamLength - info.headerBytes()
                    : NpyPayload.countUpTo(in, info.dataBytes() + 1);
            NpyPayload.verifyLength(info, actual);
            return info;
        });
        return List.copyOf(arrays.values());
    }

    /**
     * Loads every array into memory, with the same validation as {@link #inspect}.
     *
     * @return arrays keyed by name, in name order
     */
    public static Map<String, NpyArray> load(Path file, String originalFilename) throws IOException {
        return readAll(file, originalFilename, (name, in, streamLength) -> NpyArray.read(in));
    }

    /**
     * The array of strings {@code name} (one of {@link #STRING_ARRAYS}) in an .npz/.zip archive, or null when the
     * file is not an archive or has no such array.
     *
     * @throws NpyFormatException if the array is not a 1-D array of strings
     */
    public static List<String> strings(Path file, String originalFilename, String name) throws IOException {
        String displayName = originalFilename != null ? originalFilename : String.valueOf(file.getFileName());
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(ZIP_LOCAL_HEADER.length);
        }
        if (!startsWith(head, ZIP_LOCAL_HEADER)) {
            return null;
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.stream().filter(e -> !e.isDirectory() && !e.getName().startsWith("__MACOSX/"))
                    .filter(e -> fileName(e.getName()).equals(name + NPY_SUFFIX)).findFirst().orElse(null);
            if (entry == null) {
                return null;
            }
            try (InputStream in = new BufferedInputStream(zip.getInputStream(entry))) {
                return withContext(name, displayName, () -> NpyStrings.read(in));
            }
        }
    }

    private static <T> Map<String, T> readAll(Path file, String originalFilename, ArrayReader<T> reader)
            throws IOException {
        String displayName = originalFilename != null ? originalFilename : String.valueOf(file.getFileName());
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(NpyHeader.MAGIC.length);
        }
        Map<String, T> arrays;
        if (NpyHeader.startsWithMagic(head)) {
            String name = baseName(displayName);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                arrays = Map.of(name, withContext(name, displayName, () -> reader.read(name, in, Files.size(file))));
            }
        } else if (startsWith(head, ZIP_LOCAL_HEADER) || startsWith(head, ZIP_EMPTY_ARCHIVE)) {
            arrays = readZip(file, displayName, reader);
        } else if (head.length == 0) {
            throw new NpyFormatException("'" + displayName + "' is empty; " + ACCEPTED);
        } else {
            throw new NpyFormatException("'" + displayName + "' is not a NumPy file; " + ACCEPTED);
        }
        // Sorted by name so that callers (and error messages, reports) do not depend on archive order.
        return Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(arrays)));
    }

    private static <T> Map<String, T> readZip(Path file, String displayName, ArrayReader<T> reader)
            throws IOException {
        Map<String, T> arrays = new TreeMap<>();
        Map<String, String> entryOfArray = new TreeMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<? extends ZipEntry> entries = zip.stream().sorted(Comparator.comparing(ZipEntry::getName)).toList();
            for (ZipEntry entry : entries) {
                String entryName = entry.getName();
                // Directories carry no data; __MACOSX/ holds Finder's resource forks ("._x.npy"), not arrays.
                if (entry.isDirectory() || entryName.startsWith("__MACOSX/")) {
                    continue;
                }
                if (!entryName.toLowerCase(Locale.ROOT).endsWith(NPY_SUFFIX)) {
                    throw new NpyFormatException("'" + displayName + "' contains '" + entryName
                            + "', which is not a .npy array; an .npz/.zip may contain only .npy files");
                }
                String fileName = fileName(entryName);
                String name = fileName.substring(0, fileName.length() - NPY_SUFFIX.length());
                if (name.isEmpty()) {
                    throw new NpyFormatException("'" + displayName + "' contains '" + entryName
                            + "', which has no array name");
                }
                String previous = entryOfArray.putIfAbsent(name, entryName);
                if (previous != null) {
                    throw new NpyFormatException("'" + displayName + "' contains two arrays named '" + name + "': '"
                            + previous + "' and '" + entryName + "'");
                }
                if (STRING_ARRAYS.contains(name)) {
                    continue;
                }
                try (InputStream in = new BufferedInputStream(zip.getInputStream(entry))) {
                    arrays.put(name, withContext(name, displayName, () -> reader.read(name, in, -1)));
                } catch (NpyFormatException e) {
                    throw e;
                } catch (IOException e) {
                    // Corrupt compressed data surfaces as ZipException or EOFException while inflating.
                    throw new NpyFormatException("'" + displayName + "' has a damaged entry '" + entryName + "' ("
                            + e.getMessage() + ")", e);
                }
            }
        } catch (ZipException e) {
            throw new NpyFormatException("'" + displayName + "' is not a readable zip archive (" + e.getMessage()
                    + "); " + ACCEPTED, e);
        }
        if (arrays.isEmpty()) {
            throw new NpyFormatException("'" + displayName + "' contains no .npy arrays");
        }
        return arrays;
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** Prefixes format errors with the array and file they are about. */
    private static <T> T withContext(String name, String displayName, IoSupplier<T> action) throws IOException {
        try {
            return action.get();
        } catch (NpyFormatException e) {
            throw new NpyFormatException("array '" + name + "' in '" + displayName + "': " + e.getMessage(), e);
        }
    }

    /** The file name without its last extension; browsers may send a full (even Windows) path. */
    static String baseName(String path) {
        String name = fileName(path);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static String fileName(String path) {
        return path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
