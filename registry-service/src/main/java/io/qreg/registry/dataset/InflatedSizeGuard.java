package io.qreg.registry.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.support.ByteSizes;
import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Refuses a dataset that would inflate beyond what the server (and every worker that unpacks it)
 * can hold, before anything reads its arrays: first by the sizes the archive declares (a bomb is
 * refused without inflating a byte), then, since declarations can lie, by inflating each entry
 * through a small buffer and counting, stopping at the first byte over a limit. Two limits: the total inflated size
 * ({@code qreg.datasets.max-bytes}, 413), and the compression ratio, per entry and for the whole file
 * (above {@value #MAX_RATIO}:1, 422), which a zip bomb needs and real tensors never reach. The ratio
 * is judged only past {@value #RATIO_GRACE_BYTES} bytes, as a small array of zeros legitimately
 * compresses far better.
 */
@Component
class InflatedSizeGuard {

    static final long MAX_RATIO = 200;
    static final long RATIO_GRACE_BYTES = 1024 * 1024;

    private final long maxBytes;

    InflatedSizeGuard(DatasetLimits limits) {
        this.maxBytes = limits.maxBytes();
    }

    void check(StagedFile staged) {
        if (!isZip(staged)) {
            // A lone .npy is stored as sent: its inflated size is its size.
            if (staged.sizeBytes() > maxBytes) {
                throw tooLarge(staged.sizeBytes());
            }
            return;
        }
        long fileBytes = Math.max(1, staged.sizeBytes());
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        // The central directory is what the archive reader follows, so it is what is counted; entries
        // that overlap (several names inflating the same compressed bytes) are each counted in full.
        try (ZipFile zip = new ZipFile(staged.path().toFile())) {
            checkDeclaredSizes(zip, fileBytes);
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                // The directory's compressed size can lie; the file's real size bounds it.
                long compressed = entry.getCompressedSize() < 0 ? fileBytes
                        : Math.max(1, Math.min(entry.getCompressedSize(), fileBytes));
                long inflated = 0;
                try (InputStream in = zip.getInputStream(entry)) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        inflated += n;
                        total += n;
                        if (inflated > RATIO_GRACE_BYTES && inflated > compressed * MAX_RATIO) {
                            throw ratio("entry '" + entry.getName() + "' inflates " + ratioText(inflated,
                                    compressed));
                        }
                        if (total > RATIO_GRACE_BYTES && total > fileBytes * MAX_RATIO) {
                            throw ratio("the archive inflates " + ratioText(total, fileBytes));
                        }
                        if (total > maxBytes) {
                            throw tooLarge(total);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "the file is not a readable zip archive ("
                    + e.getMessage() + "); expected a NumPy .npy file, or a .npz/.zip archive of .npy files", "file");
        }
    }

    private void checkDeclaredSizes(ZipFile zip, long fileBytes) {
        long total = 0;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            long size = entry.getSize();
            if (entry.isDirectory() || size < 0) {
                continue;
            }
            // The ratio first: a bomb is named as one even when it is also over the cap.
            long compressed = Math.max(1, Math.min(Math.max(entry.getCompressedSize(), 0), fileBytes));
            if (size > RATIO_GRACE_BYTES && size > compressed * MAX_RATIO) {
                throw ratio("entry '" + entry.getName() + "' declares " + ratioText(size, compressed));
            }
            total += size;
            if (total > maxBytes) {
                throw tooLarge(total);
            }
        }
        if (total > RATIO_GRACE_BYTES && total > fileBytes * MAX_RATIO) {
            throw ratio("the archive declares " + ratioText(total, fileBytes));
        }
    }

    private static boolean isZip(StagedFile staged) {
        try (InputStream in = Files.newInputStream(staged.path())) {
            byte[] magic = in.readNBytes(2);
            return magic.length == 2 && magic[0] == 'P' && magic[1] == 'K';
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ApiException tooLarge(long bytes) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "the dataset inflates to more than "
                + ByteSizes.human(maxBytes) + " (the limit, QREG_MAX_DATASET_BYTES; at least " + ByteSizes.human(bytes)
                + ")", "file");
    }

    private static ApiException ratio(String what) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "the dataset looks like a zip bomb: " + what
                + ", above the " + MAX_RATIO + ":1 compression ratio a dataset may have", "file");
    }

    private static String ratioText(long inflated, long compressed) {
        return ByteSizes.human(compressed) + " into at least " + ByteSizes.human(inflated) + " ("
                + (inflated / compressed) + ":1)";
    }
}
