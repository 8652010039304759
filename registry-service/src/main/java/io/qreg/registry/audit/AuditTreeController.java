package io.qreg.registry.audit;

import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;
import io.qreg.worker.audit.TreeHead;

import org.springframework.data.domain.Sort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** The audit log's Merkle tree over HTTP: the signing key, the signed tree heads, and proofs. */
@RestController
@RequestMapping("/api/v1/audit")
@RequiredArgsConstructor
class AuditTreeController {

    static final MediaType PEM = MediaType.parseMediaType("application/x-pem-file");
    static final String FINGERPRINT_HEADER = "X-Key-Fingerprint";

    private final AuditSigningKey key;
    private final TreeHeads heads;
    private final AuditProofs proofs;

    /** The X.509 SubjectPublicKeyInfo PEM of the tree-head signing key; its SHA-256 in a header. */
    @GetMapping("/public-key")
    ResponseEntity<String> publicKey() {
        return ResponseEntity.ok().contentType(PEM).header(FINGERPRINT_HEADER, "sha256:" + key.fingerprint())
                .body(key.publicKeyPem());
    }

    /** Signed tree heads, newest first. */
    @GetMapping("/checkpoints")
    PageResponse<TreeHead> checkpoints(@RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(heads.page(Pagination.of(page, size, Sort.unsorted())), h -> h);
    }

    @GetMapping("/events/{seq}/proof")
    AuditProofs.InclusionProof inclusion(@PathVariable long seq, @RequestParam(required = false) Long treeSize) {
        return proofs.inclusion(seq, treeSize);
    }

    @GetMapping("/consistency")
    AuditProofs.ConsistencyProof consistency(@RequestParam(required = false) Long from,
            @RequestParam(required = false) Long to) {
        return proofs.consistency(from, to);
    }
}
