package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.web.ApiException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Reads a {@code multipart/form-data} request with a {@code file} part (streamed into staging)
 * and a JSON part ({@code metadata} unless the caller names another, e.g. {@code result}), in
 * either order. Any failure deletes what was staged.
 */
@Component
public class UploadReceiver {

    private static final int MAX_METADATA_BYTES = 64 * 1024;
    /** Other JSON parts (a worker's result with the engine's per-layer report) may be larger. */
    private static final int MAX_OTHER_JSON_BYTES = 8 * 1024 * 1024;

    private final ArtifactService artifacts;
    private final long maxBytes;

    UploadReceiver(ArtifactService artifacts, @Value("${qreg.upload.max-bytes}") long maxBytes) {
        this.artifacts = artifacts;
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public ReceivedUpload receive(HttpServletRequest request) {
        return receive(request, "metadata", true);
    }

    /**
     * Like {@link #receive(HttpServletRequest)} with the JSON part called {@code jsonPart}; when the
     * file is optional and absent, the upload's {@code file()} is null.
     */
    public ReceivedUpload receive(HttpServletRequest request, String jsonPart, boolean fileRequired) {
        String notMultipart = "send multipart/form-data with a 'file' part and a '" + jsonPart + "' JSON part";
        return staging(request, notMultipart, (reader, staging) -> {
            String metadata = null;
            MultipartReader.Part part;
            while ((part = reader.next()) != null) {
                if ("file".equals(part.name())) {
                    staging.stage(part);
                } else if (jsonPart.equals(part.name())) {
                    int limit = "metadata".equals(jsonPart) ? MAX_METADATA_BYTES : MAX_OTHER_JSON_BYTES;
                    byte[] bytes = part.content().readNBytes(limit + 1);
                    if (bytes.length > limit) {
                        throw ApiException.invalid(jsonPart, "the " + jsonPart + " part exceeds "
                                + (limit / 1024) + " KiB");
                    }
                    metadata = new String(bytes, StandardCharsets.UTF_8);
                }
            }
            if (staging.file == null && fileRequired) {
                throw ApiException.invalid("file", "the 'file' part is missing");
            }
            if (metadata == null || metadata.isBlank()) {
                throw ApiException.invalid(jsonPart, "the '" + jsonPart + "' part (JSON) is missing");
            }
            return new ReceivedUpload(metadata, staging.file);
        });
    }

    /**
     * Reads an HTML form posted as {@code multipart/form-data}: the {@code file} part streamed into
     * staging like {@link #receive}, and the named text fields (other parts are skipped) as strings,
     * at most 64 KiB in all. Browsers send a file input left empty as a part with no filename and
     * no bytes: the form's {@code file()} is then null. Any failure deletes what was staged.
     */
    public ReceivedForm receiveForm(HttpServletRequest request, Set<String> fieldNames) {
        return staging(request, "the form must be sent as multipart/form-data", (reader, staging) -> {
            Map<String, String> fields = new LinkedHashMap<>();
            int fieldBytes = 0;
            MultipartReader.Part part;
            while ((part = reader.next()) != null) {
                if ("file".equals(part.name())) {
                    if (part.filename() == null || part.filename().isEmpty()) {
                        staging.requireFirst();
                        continue; // no file chosen
                    }
                    staging.stage(part);
                } else if (part.name() != null && fieldNames.contains(part.name())) {
                    byte[] bytes = part.content().readNBytes(MAX_METADATA_BYTES - fieldBytes + 1);
                    fieldBytes += bytes.length;
                    if (fieldBytes > MAX_METADATA_BYTES) {
                        throw ApiException.invalid(part.name(), "the form's fields exceed "
                                + (MAX_METADATA_BYTES / 1024) + " KiB");
                    }
                    fields.put(part.name(), new String(bytes, StandardCharsets.UTF_8));
                }
            }
            return new ReceivedForm(fields, staging.file);
        });
    }

    /** What a multipart request is read into, given its parts and where its one file is staged. */
    @FunctionalInterface
    private interface PartsReader<T> {
        T read(MultipartReader reader, Staging staging) throws IOException;
    }

    /** The one 'file' part of a request, staged as it streams past. */
    private final class Staging {

        private StagedFile file;

        void requireFirst() {
            if (file != null) {
                throw ApiException.invalid("file", "send exactly one 'file' part");
            }
        }

        void stage(MultipartReader.Part part) {
            requireFirst();
            file = artifacts.stage(part.content(), maxBytes, part.filename());
        }
    }

    /**
     * Checks the request is multipart within the size limit, then reads its parts; whatever fails, a
     * file already staged is deleted, and the failure becomes the upload's problem (413, 400).
     */
    private <T> T staging(HttpServletRequest request, String notMultipart, PartsReader<T> parts) {
        String boundary = MultipartReader.boundaryOf(request.getContentType());
        if (boundary == null) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, notMultipart);
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBytes + MAX_METADATA_BYTES) {
            throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "the upload declares " + declared
                    + " bytes, over the limit of " + maxBytes + " bytes (QREG_MAX_UPLOAD_BYTES)");
        }
        Staging staging = new Staging();
        try (InputStream body = request.getInputStream()) {
            return parts.read(new MultipartReader(body, boundary), staging);
        } catch (UploadTooLargeException e) {
            throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, e.getMessage(), "file");
        } catch (MultipartException e) {
            discard(staging.file);
            throw new ApiException(HttpStatus.BAD_REQUEST, e.getMessage());
        } catch (IOException e) {
            discard(staging.file);
            throw new ApiException(HttpStatus.BAD_REQUEST, "upload interrupted: " + e.getMessage());
        } catch (RuntimeException e) {
            discard(staging.file);
            throw e;
        }
    }

    private static void discard(StagedFile file) {
        if (file != null) {
            file.discard();
        }
    }
}
