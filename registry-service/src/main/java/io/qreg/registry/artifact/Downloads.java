package io.qreg.registry.artifact;

import java.util.Base64;
import java.util.HexFormat;

import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * How every stored artifact is downloaded: its sha256 as the strong ETag (304 on a match), the
 * digest header, and byte ranges (Spring MVC serves {@code Range} for Resource bodies).
 */
public final class Downloads {

    private Downloads() {
    }

    public static ResponseEntity<Resource> of(Resource content, String sha256, String filename, String ifNoneMatch) {
        String etag = "\"" + sha256 + "\"";
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"))) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        return ResponseEntity.ok().eTag(etag)
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .header("Digest", "sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .headers(h -> h.setContentDisposition(ContentDisposition.attachment().filename(filename).build()))
                .body(content);
    }
}
