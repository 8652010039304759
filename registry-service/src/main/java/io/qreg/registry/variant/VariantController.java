package io.qreg.registry.variant;

import java.util.List;
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

/** Variants over HTTP: one with its lineage, measurements and policy verdict, a model's list, and the artifact. */
@RestController
class VariantController {

    private final VariantService variants;
    private final VariantVerdicts verdicts;

    VariantController(VariantService variants, VariantVerdicts verdicts) {
        this.variants = variants;
        this.verdicts = verdicts;
    }

    @GetMapping("/api/v1/variants/{id}")
    JudgedVariant<VariantView> get(@PathVariable UUID id) {
        VariantView variant = variants.get(id);
        return new JudgedVariant<>(variant, verdicts.verdictOf(variant));
    }

    @GetMapping("/api/v1/variants/{id}/content")
    ResponseEntity<Resource> content(@PathVariable UUID id, HttpServletRequest request) {
        VariantService.Content content = variants.content(id);
        return Downloads.of(content.resource(), content.sha256(), content.filename(), request);
    }

    /** The checkpoint's own evaluations (EVALUATE jobs of the checkpoint), oldest first. */
    @GetMapping("/api/v1/checkpoints/{id}/evaluations")
    List<VariantView.EvaluationView> checkpointEvaluations(@PathVariable UUID id) {
        return variants.checkpointEvaluations(id);
    }

    @GetMapping("/api/v1/models/{name}/variants")
    PageResponse<JudgedVariant<VariantSummary>> forModel(@PathVariable String name,
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        // A summary holds only the latest measurements; the verdict weighs every one, so it reads the full variant.
        return PageResponse.of(variants.listForModel(name,
                Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt"))),
                v -> new JudgedVariant<>(v, verdicts.verdictOf(variants.get(v.id()))));
    }
}
