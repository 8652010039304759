package io.qreg.registry.artifact;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * How every stored artifact is downloaded: its sha256 as the strong ETag (304 on a match), the
 * digest header, and byte ranges (Spring MVC serves {@code Range} for Resource bodies). A whole
 * file from the filesystem store goes out by the kernel's sendfile when Tomcat offers it, so a
 * gigabyte checkpoint does not pass through the JVM in 8 KiB copies.
 */
public final class Downloads {

    private Downloads() {
    }

    private static final String SENDFILE_SUPPORT = "org.apache.tomcat.sendfile.support";
    private static final String SENDFILE_FILENAME = "org.apache.tomcat.sendfile.filename";
    private static final String SENDFILE_START = "org.apache.tomcat.sendfile.start";
    private static final String SENDFILE_END = "org.apache.tomcat.sendfile.end";

    public static ResponseEntity<Resource> of(Resource content, String sha256, String filename,
            HttpServletRequest request) {
        String etag = "\"" + sha256 + "\"";
        String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"))) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        String range = request.getHeader(HttpHeaders.RANGE);
        if (range != null && !satisfiable(range, content)) {
            // Spring would write the whole file after the 416 status; a 416 says only how long the file is.
            return ResponseEntity.status(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE).eTag(etag)
                    .header(HttpHeaders.CONTENT_RANGE, "bytes */" + length(content)).build();
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.ok().eTag(etag)
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .header("Digest", "sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .headers(h -> h.setContentDisposition(ContentDisposition.attachment().filename(filename).build()));
        if (range == null && content.isFile()
                && Boolean.TRUE.equals(request.getAttribute(SENDFILE_SUPPORT))) {
            try {
                File file = content.getFile();
                long length = file.length();
                request.setAttribute(SENDFILE_FILENAME, file.getAbsolutePath());
                request.setAttribute(SENDFILE_START, 0L);
                request.setAttribute(SENDFILE_END, length);
                return response.contentLength(length).build();
            } catch (IOException e) {
                // fall back to streaming through the JVM
            }
        }
        return response.body(content);
    }

    /** Whether the Range header names parts that exist (Spring's own rules: syntax, bounds, total size). */
    private static boolean satisfiable(String range, Resource content) {
        try {
            HttpRange.toResourceRegions(HttpRange.parseRanges(range), content);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static long length(Resource content) {
        try {
            return content.contentLength();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
