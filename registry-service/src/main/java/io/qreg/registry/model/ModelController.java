package io.qreg.registry.model;

import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

/** Models over HTTP. */
@RestController
@RequestMapping("/api/v1/models")
class ModelController {

    private final ModelService models;

    ModelController(ModelService models) {
        this.models = models;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ModelView create(@RequestBody ModelService.NewModel request) {
        return models.create(request);
    }

    @GetMapping
    PageResponse<ModelView> list(@RequestParam(required = false) String task,
            @RequestParam(required = false) String riskTier, @RequestParam(required = false) String owner,
            @RequestParam(required = false) String q, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(models.search(task, riskTier, owner, q, Pagination.of(page, size, Sort.by("name"))),
                m -> m);
    }

    @GetMapping("/{name}")
    ModelView get(@PathVariable String name) {
        return models.get(name);
    }
}
