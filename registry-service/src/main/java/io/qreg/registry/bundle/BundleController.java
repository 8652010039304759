package io.qreg.registry.bundle;

import java.io.IOException;
import java.util.UUID;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** {@code GET /api/v1/variants/{id}/bundle}: the variant's reproducible bundle as a streamed zip. */
@RestController
@RequiredArgsConstructor
class BundleController {

    private final VariantBundles bundles;

    @GetMapping("/api/v1/variants/{id}/bundle")
    void bundle(@PathVariable UUID id, HttpServletResponse response) throws IOException {
        bundles.send(id, response);
    }
}
