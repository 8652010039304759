package io.qreg.registry.variant;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.artifact.Downloads;
import io.qreg.registry.tag.SubjectTags;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagValue;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.core.io.Resource;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Sort;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/**
 * Variants over HTTP: one with its lineage, measurements and policy verdict, a model's list, the artifact, and
 * archiving and tagging one.
 */
@RestController
@RequiredArgsConstructor
class VariantController {

    private final VariantService variants;
    private final VariantVerdicts verdicts;
    private final VariantLifecycle lifecycle;

    @GetMapping("/api/v1/variants/{id}")
    JudgedVariant<VariantView> get(@PathVariable UUID id) {
        VariantView variant = variants.get(id);
        return new JudgedVariant<>(variant, verdicts.verdictOf(variant), lifecycle.archival(id), lifecycle.tags(id));
    }

    @PostMapping("/api/v1/variants/{id}/archive")
    Archival archive(@PathVariable UUID id) {
        return lifecycle.setArchived(id, true);
    }

    @PostMapping("/api/v1/variants/{id}/unarchive")
    Archival unarchive(@PathVariable UUID id) {
        return lifecycle.setArchived(id, false);
    }

    @PutMapping("/api/v1/variants/{id}/tags/{key}")
    SubjectTags putTag(@PathVariable UUID id, @PathVariable String key,
            @RequestBody(required = false) TagValue value) {
        return lifecycle.putTag(id, key, value);
    }

    @DeleteMapping("/api/v1/variants/{id}/tags/{key}")
    SubjectTags removeTag(@PathVariable UUID id, @PathVariable String key) {
        return lifecycle.removeTag(id, key);
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
            @RequestParam(required = false) String tag, @RequestParam(required = false) String archived,
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        Page<VariantSummary> found = variants.listForModel(name, TagFilter.parse(tag), Archival.listsArchived(archived),
                Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt")));
        List<UUID> ids = found.getContent().stream().map(VariantSummary::id).toList();
        Map<UUID, Archival> archivals = lifecycle.archivals(ids);
        Map<UUID, Map<String, String>> tags = lifecycle.tags(ids);
        // A summary holds only the latest measurements; the verdict weighs every one, so it reads the full variant.
        return PageResponse.of(found, v -> new JudgedVariant<>(v, verdicts.verdictOf(variants.get(v.id())),
                archivals.get(v.id()), tags.get(v.id())));
    }
}
