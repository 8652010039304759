package io.qreg.registry.model;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.tag.SubjectTags;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagValue;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Models over HTTP: register, search, read (with tags and aliases), archive, tag. */
@RestController
@RequestMapping("/api/v1/models")
@RequiredArgsConstructor
class ModelController {

    private final ModelService models;
    private final ModelAliases aliases;

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ModelView create(@RequestBody ModelService.NewModel request) {
        return models.create(request);
    }

    @GetMapping
    PageResponse<ModelView> list(@RequestParam(required = false) String task,
            @RequestParam(required = false) String riskTier, @RequestParam(required = false) String owner,
            @RequestParam(required = false) String q, @RequestParam(required = false) String tag,
            @RequestParam(required = false) String archived, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(models.search(task, riskTier, owner, q, TagFilter.parse(tag),
                Archival.listsArchived(archived), Pagination.of(page, size, Sort.by("name"))), m -> m);
    }

    @GetMapping("/{name}")
    ModelDetails get(@PathVariable String name) {
        return models.details(name, aliases);
    }

    @PostMapping("/{name}/archive")
    ModelView archive(@PathVariable String name) {
        return models.setArchived(name, true);
    }

    @PostMapping("/{name}/unarchive")
    ModelView unarchive(@PathVariable String name) {
        return models.setArchived(name, false);
    }

    @PutMapping("/{name}/tags/{key}")
    SubjectTags putTag(@PathVariable String name, @PathVariable String key, @RequestBody(required = false) TagValue value) {
        return models.putTag(name, key, value);
    }

    @DeleteMapping("/{name}/tags/{key}")
    SubjectTags removeTag(@PathVariable String name, @PathVariable String key) {
        return models.removeTag(name, key);
    }
}
