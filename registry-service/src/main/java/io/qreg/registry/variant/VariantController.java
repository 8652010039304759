package io.qreg.registry.variant;

import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.artifact.Downloads;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.core.io.Resource;
import org.springframework.data.domain.Sort;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Variants over HTTP: one with its lineage and measurements, a model's list, and the artifact. */
@RestController
class VariantController {

    private final VariantService variants;

    VariantController(VariantService variants) {
        this.variants = variants;
    }

    @GetMapping("/api/v1/variants/{id}")
    VariantView get(@PathVariable UUID id) {
        return variants.get(id);
    }

    @GetMapping("/api/v1/variants/{id}/content")
    ResponseEntity<Resource> content(@PathVariable UUID id, HttpServletRequest request) {
        VariantService.Content content = variants.content(id);
        return Downloads.of(content.resource(), content.sha256(), content.filename(), request);
    }

    @GetMapping("/api/v1/models/{name}/variants")
    PageResponse<VariantSummary> forModel(@PathVariable String name, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(variants.listForModel(name,
                Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt"))), v -> v);
    }
}
