package io.qreg.registry.checkpoint;

import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.artifact.Downloads;
import io.qreg.registry.artifact.UploadReceiver;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.tag.SubjectTags;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagValue;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.core.io.Resource;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
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

/** Checkpoints over HTTP: streamed upload, reads (with tags), lineage, download, and tagging. */
@RestController
@RequiredArgsConstructor
class CheckpointController {

    private final CheckpointService checkpoints;
    private final ModelService models;
    private final UploadReceiver uploads;

    @PostMapping(path = "/api/v1/models/{name}/checkpoints", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<CheckpointView> upload(@PathVariable String name, HttpServletRequest request) {
        models.get(name); // an unknown model fails before a single byte is spooled
        CheckpointView view = checkpoints.register(name, uploads.receive(request));
        return ResponseEntity.status(HttpStatus.CREATED)
                .location(java.net.URI.create("/api/v1/checkpoints/" + view.id())).body(view);
    }

    @GetMapping("/api/v1/models/{name}/checkpoints")
    PageResponse<TaggedCheckpoint> list(@PathVariable String name, @RequestParam(required = false) String tag,
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        Page<CheckpointView> found = checkpoints.listForModel(name, TagFilter.parse(tag),
                Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt")));
        Map<UUID, Map<String, String>> tags = checkpoints.tags(found.getContent().stream().map(CheckpointView::id)
                .toList());
        return PageResponse.of(found, c -> new TaggedCheckpoint(c, tags.get(c.id())));
    }

    @GetMapping("/api/v1/checkpoints/{id}")
    TaggedCheckpoint get(@PathVariable UUID id) {
        return new TaggedCheckpoint(checkpoints.get(id), checkpoints.tags(id));
    }

    @PutMapping("/api/v1/checkpoints/{id}/tags/{key}")
    SubjectTags putTag(@PathVariable UUID id, @PathVariable String key,
            @RequestBody(required = false) TagValue value) {
        return checkpoints.putTag(id, key, value);
    }

    @DeleteMapping("/api/v1/checkpoints/{id}/tags/{key}")
    SubjectTags removeTag(@PathVariable UUID id, @PathVariable String key) {
        return checkpoints.removeTag(id, key);
    }

    @GetMapping("/api/v1/checkpoints/{id}/lineage")
    CheckpointService.Lineage lineage(@PathVariable UUID id) {
        return checkpoints.lineage(id);
    }

    @GetMapping("/api/v1/checkpoints/{id}/content")
    ResponseEntity<Resource> content(@PathVariable UUID id,
            HttpServletRequest request) {
        CheckpointService.Content content = checkpoints.content(id);
        return Downloads.of(content.resource(), content.sha256(), content.filename(), request);
    }
}
